"""``kafka log``: event logs from case-management systems (inspect, analyze, to-case)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from kafka.cli.common import InputPath, csv_dialect_option, lang_option
from kafka.errors import UsageProblem
from kafka.output import refuse_inputs, write_atomic

KEY_HELP = ("The pseudonymisation key: a file only you keep (default ~/.config/kafka/pseudonym.key, "
            "made on first use). The same key gives the same pseudonyms in every log. Also: KAFKA_LOG_KEY.")


class _Progress:
    """Stage lines on stderr with the time since the start, so a long run shows it is working."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.began = time.perf_counter()

    def __call__(self, message: str) -> None:
        if not self.quiet:
            click.echo(f"[{time.perf_counter() - self.began:5.1f} s] {message}", err=True)


@click.group("log")
def log() -> None:
    """Event logs from case-management systems: measured waits, variants, deadlines.

    A log (CSV, XES, Parquet, or OCEL 2.0 flattened on one object type) has
    one row per event: a case, an activity, a time. A mapping file (YAML) says which column is which; 'inspect'
    proposes one. Case ids and workers are pseudonymised as the log is read,
    and columns the mapping does not name are never read.

    \b
    Example:
      kafka log inspect examples/log/export.csv -o my.map.yaml
      kafka log analyze examples/log/export.csv --map examples/log/export.map.yaml -o log-report/
      kafka log to-case examples/log/export.csv --map examples/log/export.map.yaml -o leefloon-log.yaml
    """


@log.command("inspect")
@click.argument("log_path", metavar="LOG", type=InputPath(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the proposed mapping to FILE (it is printed otherwise). An existing file is kept "
                   "unless --force.")
@click.option("--force", is_flag=True, help="Overwrite the -o file when it exists.")
@click.option("--examples", is_flag=True,
              help="Show real example values. By default only their shape is shown (D0012345 as A9999999), "
                   "except for the activity and organisation columns.")
def inspect_cmd(log_path, output, force, examples):
    """Show a log's columns with examples, and propose a mapping file.

    \b
    Example:
      kafka log inspect examples/log/export.csv
      kafka log inspect examples/log/export.xes.gz -o xes.map.yaml
      kafka log inspect examples/log/export.jsonocel
    """
    from kafka.log.engine import connect
    from kafka.log.inspect import PROFILE_ROWS, mapping_yaml, profile, shape
    from kafka.log.source import open_source

    source = open_source(log_path)
    with connect() as con:
        p = profile(con, source)
    dialect = f", encoding {source.encoding}, delimiter {source.delimiter!r}" if source.format == "csv" else ""
    sampled = f" (columns profiled on the first {PROFILE_ROWS:,})" if p.rows > PROFILE_ROWS else ""
    click.echo(f"{source.path}: {source.format.upper()}{dialect}, {p.rows:,} events{sampled}", err=True)
    roles = {column: role for role, column in p.proposal.items()}
    width = max((len(c.name) for c in p.columns), default=10)
    click.echo(f"  {'column':{width}}  {'role':12}  {'values':>9}  {'distinct':>9}  examples", err=True)
    for c in p.columns:
        role = roles.get(c.name, "")
        show_real = examples or role in ("activity", "organisation")
        shown = ", ".join(e if show_real else shape(e) for e in c.examples)
        click.echo(f"  {c.name:{width}}  {role:12}  {c.values:9,}  {c.distinct:9,}  {shown}", err=True)
    text = mapping_yaml(p)
    if output is None:
        click.echo("\nProposed mapping (save it with -o FILE, check it, then: kafka log analyze LOG --map FILE -o DIR):",
                   err=True)
        click.echo(text, nl=False)
        return
    refuse_inputs(output, [log_path])
    if output.exists() and not force:
        raise UsageProblem(f"{output} exists; choose another file or add --force")
    write_atomic(output, text)
    click.echo(f"wrote {output}: check the roles, then run: kafka log analyze {log_path} --map {output} -o DIR", err=True)


@log.command("analyze")
@click.argument("log_path", metavar="LOG", type=InputPath(dir_okay=False, path_type=Path))
@click.option("--map", "mapping", required=True, metavar="FILE", type=InputPath(dir_okay=False, path_type=Path),
              help="The mapping file (kafka log inspect LOG -o FILE proposes one).")
@click.option("-o", "--output", required=True, metavar="DIR", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for report.html, measures.json and the CSV files (created when missing).")
@click.option("--key", "key_path", metavar="FILE", envvar="KAFKA_LOG_KEY", type=click.Path(dir_okay=False, path_type=Path),
              help=KEY_HELP)
@click.option("--top", "top_variants", type=click.IntRange(1, 1000), default=10, show_default=True,
              help="How many variants to list.")
@click.option("-q", "--quiet", is_flag=True, help="No progress lines.")
@csv_dialect_option
@lang_option
def analyze_cmd(log_path, mapping, output, key_path, top_variants, quiet, csv_dialect, lang):
    """Measure a log: waits, working time, lead times, variants, rework, hand-overs, deadlines.

    Writes an offline HTML report (DIR/report.html) with the measured process
    map, and the same figures as JSON and CSV beside it. Case ids and workers
    appear only as pseudonyms; columns the mapping does not name are never read.

    \b
    Example:
      kafka log analyze examples/log/export.csv --map examples/log/export.map.yaml -o log-report/
      kafka log analyze examples/log/export.xes.gz --map examples/log/xes.map.yaml -o out/ --lang en
      kafka log analyze examples/log/export.jsonocel --map examples/log/ocel.map.yaml -o out/
      kafka log analyze examples/log/export.csv --map examples/log/export.map.yaml -o out/ --key ~/kafka-pseudonym.key
      kafka log analyze examples/log/export.csv --map examples/log/export.map.yaml -o out/ --csv-dialect plain
    """
    from kafka.log import load_key, load_mapping
    from kafka.log.pseudonymise import key_is_private
    from kafka.log.render import analyze_log

    progress = _Progress(quiet)
    refuse_inputs(output, [log_path, mapping])
    mapping_data = load_mapping(mapping)
    key = load_key(key_path)
    if key.created:
        click.echo(f"made a new pseudonymisation key: {key.path} (keep it private; the same key gives the same "
                   "pseudonyms next time)", err=True)
    elif not key_is_private(key):
        click.secho(f"warning: others on this machine can read the key {key.path}; chmod 600 it", fg="yellow", err=True)
    written = analyze_log(log_path, mapping_data, output, key, lang=lang, top_variants=top_variants, progress=progress,
                          csv_dialect=csv_dialect)
    report = next(p for p in written if p.name == "report.html")
    progress(f"wrote {report} and {len(written) - 1} more files in {report.parent}")


@log.command("to-case")
@click.argument("log_path", metavar="LOG", type=InputPath(dir_okay=False, path_type=Path))
@click.option("--map", "mapping", required=True, metavar="FILE", type=InputPath(dir_okay=False, path_type=Path),
              help="The mapping file.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="The case file to write (printed otherwise). An existing file is kept unless --force.")
@click.option("--force", is_flag=True, help="Overwrite the -o file when it exists.")
@click.option("--id", "case_id", metavar="ID", help="The case id (default: from the log's file name).")
@click.option("--organisation", metavar="NAME", help="Who runs the procedure (default: the most frequent "
                                                      "organisation in the log, else 'OCMW').")
@click.option("-q", "--quiet", is_flag=True, help="No progress lines.")
@lang_option
def to_case_cmd(log_path, mapping, output, force, case_id, organisation, quiet, lang):
    """Write a skeleton case file from a log's most frequent variant, with measured median waits.

    A start for a Kafka-brigade: one step per activity of the path most
    cases follow, its wait and duration the medians over those cases, the
    mapping's deadlines as rules, and an 'evidence:' section that links the
    case to the log (its report then shows told versus logged).

    \b
    Example:
      kafka log to-case examples/log/export.csv --map examples/log/export.map.yaml -o cases/leefloon-log.yaml
      kafka log to-case examples/log/export.csv --map examples/log/export.map.yaml --id leefloon-2025 --organisation "OCMW Gent"
    """
    from kafka.log import connect, load_mapping, open_log, run_key
    from kafka.log.tocase import skeleton_case

    progress = _Progress(quiet)
    mapping_data = load_mapping(mapping)
    if output is not None:
        refuse_inputs(output, [log_path, mapping])
        if output.exists() and not force:
            raise UsageProblem(f"{output} exists; choose another file or add --force")
    with connect() as con:
        # No pseudonym is written to a case file, so a key for this run only will do.
        event_log = open_log(con, log_path, mapping_data, run_key(), progress)
        progress("finding the most frequent variant")
        text = skeleton_case(event_log, lang=lang, case_id=case_id, organisation=organisation,
                             log_path=log_path, mapping_path=mapping, case_path=output)
    if output is None:
        sys.stdout.write(text)
        return
    write_atomic(output, text)
    progress(f"wrote {output}; check it with: kafka validate {output}")
