"""Write the example event log of the `kafka log` help texts: export.csv, export.xes.gz, export.jsonocel.

A made-up leefloon procedure of 40 dossiers, as benchmarks/loggen.py makes it
(no real person in it): the same seed gives the same files.

    .venv/bin/python examples/log/make_log.py
"""

from __future__ import annotations

import csv
import gzip
import json
import sys
from pathlib import Path
from xml.sax.saxutils import quoteattr

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "benchmarks"))

from loggen import write_log  # noqa: E402


def write_xes(csv_path: Path, xes_path: Path) -> None:
    """The same events as XES (start and complete of each), as a case-management system exports them."""
    traces: dict[str, list[dict]] = {}
    with csv_path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            traces.setdefault(row["dossiernummer"], []).append(row)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<log xes.version="1.0" xmlns="http://www.xes-standard.org/">']
    for case, events in traces.items():
        lines.append(f'<trace><string key="concept:name" value={quoteattr(case)}/>')
        for e in events:
            for transition, when in (("start", e["begin"]), ("complete", e["einde"])):
                lines.append(
                    f'<event><string key="concept:name" value={quoteattr(e["activiteit"])}/>'
                    f'<string key="lifecycle:transition" value="{transition}"/>'
                    f'<string key="org:resource" value={quoteattr(e["medewerker"])}/>'
                    f'<string key="org:group" value={quoteattr(e["dienst"])}/>'
                    f'<date key="time:timestamp" value="{when.replace(" ", "T")}+01:00"/></event>')
        lines.append("</trace>")
    lines.append("</log>")
    xes_path.write_bytes(gzip.compress("\n".join(lines).encode("utf-8"), mtime=0))


def write_ocel(csv_path: Path, ocel_path: Path) -> None:
    """The same events as an OCEL 2.0 JSON log: the dossier, the worker and the service are objects,
    the start time an event attribute."""
    events, objects = [], {}
    with csv_path.open(encoding="utf-8", newline="") as handle:
        for index, row in enumerate(csv.DictReader(handle, delimiter=";")):
            related = (("dossier", row["dossiernummer"]), ("medewerker", row["medewerker"]), ("dienst", row["dienst"]))
            for object_type, object_id in related:
                objects.setdefault(object_id, object_type)
            events.append({"id": f"e{index + 1}", "type": row["activiteit"], "time": row["einde"].replace(" ", "T"),
                           "attributes": [{"name": "begin", "value": row["begin"].replace(" ", "T")}],
                           "relationships": [{"objectId": oid, "qualifier": otype} for otype, oid in related]})
    log = {"eventTypes": [{"name": name, "attributes": [{"name": "begin", "type": "time"}]}
                          for name in sorted({e["type"] for e in events})],
           "objectTypes": [{"name": name, "attributes": []} for name in ("dossier", "medewerker", "dienst")],
           "events": events,
           "objects": [{"id": oid, "type": otype, "attributes": []} for oid, otype in objects.items()]}
    ocel_path.write_text(json.dumps(log, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


if __name__ == "__main__":
    log = HERE / "export.csv"
    events = write_log(log, cases=40, seed=7)
    write_xes(log, HERE / "export.xes.gz")
    write_ocel(log, HERE / "export.jsonocel")
    print(f"wrote {events} events of 40 dossiers to {log}, export.xes.gz and export.jsonocel")
