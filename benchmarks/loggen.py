"""Generate a case-management event log as an OCMW exports it (CSV), for the log benchmark.

A leefloon-like procedure: registration, intake, documents asked and received
(sometimes twice: rework), a check at the KSZ, sometimes a home visit or a
referral to another organisation, the social report, the BCSD decision, the
notification and the first payment. Every event has a start and an end time,
a case worker and a department; a free-text remark column holds the kind of
text a real export carries (and kafka must drop).

    .venv/bin/python benchmarks/loggen.py --cases 100000 -o /tmp/log-1m.csv

Vectorised with numpy, written in chunks: 10 million events take about a
minute and little memory. The same seed gives the same file.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

OCMW = "OCMW Voorbeeld"
# (activity, organisation, median wait before it in hours, median working time in hours)
ACTIVITIES = {
    "reg": ("Aanvraag geregistreerd", OCMW, 0.0, 0.3),
    "intake": ("Intakegesprek", OCMW, 3 * 24.0, 1.0),
    "ask": ("Documenten opgevraagd", OCMW, 2.0, 0.2),
    "recv": ("Documenten ontvangen", OCMW, 8 * 24.0, 0.3),
    "ksz": ("Raadpleging KSZ", OCMW, 24.0, 0.2),
    "visit": ("Huisbezoek", OCMW, 5 * 24.0, 1.5),
    "rva": ("Doorverwijzing RVA", "RVA", 2 * 24.0, 0.5),
    "rva_back": ("Attest RVA ontvangen", OCMW, 10 * 24.0, 0.2),
    "report": ("Sociaal verslag", OCMW, 4 * 24.0, 2.0),
    "bcsd": ("Beslissing BCSD", "BCSD", 9 * 24.0, 0.5),
    "notify": ("Kennisgeving beslissing", OCMW, 3 * 24.0, 0.3),
    "pay": ("Eerste betaling", "Financiële dienst", 6 * 24.0, 0.2),
}
# Variants as sequences of activity keys, with their weight; ten events a case on average.
VARIANTS = [
    (["reg", "intake", "ask", "recv", "ksz", "visit", "report", "bcsd", "notify", "pay"], 0.40),
    (["reg", "intake", "ksz", "ask", "recv", "visit", "report", "bcsd", "notify", "pay"], 0.15),
    (["reg", "intake", "ask", "recv", "ask", "recv", "ksz", "visit", "report", "bcsd", "notify", "pay"], 0.15),
    (["reg", "intake", "ask", "recv", "ksz", "rva", "rva_back", "visit", "report", "bcsd", "notify", "pay"], 0.10),
    (["reg", "intake", "ask", "recv", "ksz", "report", "bcsd", "notify", "pay"], 0.10),
    (["reg", "intake", "ask", "recv", "ksz", "visit", "report", "bcsd", "notify"], 0.05),
    (["reg", "intake", "ask", "recv", "ksz", "visit", "report", "report", "bcsd", "notify", "pay"], 0.05),
]
WORKERS = [f"mw{n:03d}" for n in range(60)]
REMARKS = np.array([
    "", "", "", "klant belt terug", "brief opnieuw verstuurd", "zie mail 12/3",
    "cliënt heeft schulden bij energieleverancier", "huisbezoek verplaatst", "",
])
START = np.datetime64("2022-01-03T08:00")


def generate(cases: int, seed: int = 7, chunk: int = 20_000):
    """Yield pandas DataFrames of events, ``chunk`` cases at a time, in case order."""
    rng = np.random.default_rng(seed)
    weights = np.array([w for _, w in VARIANTS])
    weights /= weights.sum()
    keys = list(ACTIVITIES)
    names = np.array([ACTIVITIES[k][0] for k in keys], dtype=object)
    orgs = np.array([ACTIVITIES[k][1] for k in keys], dtype=object)
    wait_h = np.array([ACTIVITIES[k][2] for k in keys])
    work_h = np.array([ACTIVITIES[k][3] for k in keys])
    paths = [np.array([keys.index(k) for k in path]) for path, _ in VARIANTS]
    span_minutes = 3 * 365 * 24 * 60
    for first in range(0, cases, chunk):
        n = min(chunk, cases - first)
        variant = rng.choice(len(VARIANTS), size=n, p=weights)
        lengths = np.array([len(paths[v]) for v in variant])
        acts = np.concatenate([paths[v] for v in variant])
        case_index = np.repeat(np.arange(first, first + n), lengths)
        total = len(acts)
        # waits and working times: log-normal around the activity's median
        wait = wait_h[acts] * rng.lognormal(0.0, 0.6, total)
        work = work_h[acts] * rng.lognormal(0.0, 0.4, total)
        starts_at = np.repeat(rng.integers(0, span_minutes, n), lengths)
        begin = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        step_minutes = (wait + work) * 60
        cum = np.cumsum(step_minutes)
        before_case = np.repeat(cum[begin] - step_minutes[begin], lengths)
        end_min = starts_at + (cum - before_case)
        start_min = end_min - work * 60
        end = START + end_min.astype("timedelta64[m]")
        start = START + start_min.astype("timedelta64[m]")
        worker = np.array(WORKERS, dtype=object)[rng.integers(0, len(WORKERS), total)]
        yield pd.DataFrame({
            "dossiernummer": pd.Series(case_index).map("D{:07d}".format),
            "activiteit": names[acts],
            "begin": pd.Series(start).dt.strftime("%Y-%m-%d %H:%M:%S"),
            "einde": pd.Series(end).dt.strftime("%Y-%m-%d %H:%M:%S"),
            "medewerker": worker,
            "dienst": orgs[acts],
            "opmerking": REMARKS[rng.integers(0, len(REMARKS), total)],
        })


def write_log(path: str | Path, cases: int, seed: int = 7, delimiter: str = ";") -> int:
    """Write the log as CSV (UTF-8, ``;`` as a Belgian spreadsheet saves it); returns the number of events."""
    events = 0
    with open(path, "w", encoding="utf-8", newline="") as handle:
        for i, frame in enumerate(generate(cases, seed)):
            frame.to_csv(handle, sep=delimiter, index=False, header=i == 0)
            events += len(frame)
    return events


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args(argv)
    began = time.perf_counter()
    events = write_log(args.output, args.cases, args.seed)
    print(f"wrote {events:,} events of {args.cases:,} cases to {args.output} in {time.perf_counter() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
