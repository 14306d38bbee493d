"""``kafka aggregate``: many cases -> one static site for VVSG (index, agenda, case reports, CSV, XLSX)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from kafka.cli.common import run_options
from kafka.errors import ExitCode


class _Progress:
    """A progress bar on stderr, shown only on a terminal; created when the total is known."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.bar = None

    def __call__(self, n: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="Cases", file=sys.stderr, show_pos=True,
                                         show_eta=True)
            self.bar.__enter__()
        self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None

    def writing_site(self) -> None:
        self.close()
        if self.enabled:
            click.echo("Writing index.html, agenda.html, CSV and XLSX ...", err=True)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("-o", "--output", "out_dir", required=True, metavar="DIR",
              type=click.Path(file_okay=False, path_type=str),
              help="The folder to write the site into (created when absent).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Worker processes that analyse and render cases in parallel [default: the number of cores].")
@click.option("--force", is_flag=True,
              help="Re-render every case report, also those of unchanged case files.")
@click.option("--to-be", "to_be", is_flag=True,
              help="Also draw the to-be maps and the before/after table in every case report (the reports of "
                   "'kafka report' always have them); rendering takes about twice as long. The site's savings "
                   "use the to-be either way.")
@run_options(templates=True, to_be=False)
def aggregate(paths, out_dir, jobs, force, options):
    """Aggregate many cases into one static site for VVSG.

    Reads every case file under PATHS and writes into DIR: index.html (all
    cases in a sortable, filterable table, the proposals merged across cases
    and how OCMW's compare per procedure), agenda.html (the supralocal
    proposals by government, printable), a report per case in DIR/cases/,
    and findings.csv, proposals.csv and summary.xlsx.

    Invalid case files, and a second file with a case id that is already
    used, are reported and skipped (exit code 1); the others are still
    aggregated and the site lists the skipped files. A second run only
    re-renders the cases whose file changed (see DIR/manifest.json), unless
    --force.

    \b
    Example:
      kafka aggregate cases/ -o reports
      kafka aggregate intake/2026/ more/leefloon-x.yaml -o site --lang en --jobs 4
      kafka aggregate cases/ -o reports --ignore T --set staff_hour_eur=45
      kafka aggregate cases/ -o reports --to-be
    """
    from kafka.aggregate import aggregate as run_aggregate  # pandas: only for this command

    progress = _Progress()
    try:
        result = run_aggregate(paths, out_dir, options, jobs=jobs, force=force, progress=progress,
                               writing_site=progress.writing_site)
    finally:
        progress.close()
    collection = result.collection
    for skipped in collection.skipped:
        for message in skipped.messages:
            click.secho(message, fg="red", err=True)
    for case in collection.cases:
        for warning in case.warnings:
            click.secho(warning, fg="yellow", err=True)
    organisations = len({c.organisation for c in collection.cases})
    click.echo(
        f"Aggregated {_count(len(collection.cases), 'case')} from {_count(organisations, 'organisation')} "
        f"({collection.rendered} rendered, {collection.reused} unchanged).",
        err=True,
    )
    if collection.skipped:
        click.secho(f"{_count(len(collection.skipped), 'file')} skipped: see the messages above.", fg="red", err=True)
    index = Path(out_dir) / "index.html"
    click.echo(f"Open {os.path.relpath(index) if not Path(out_dir).is_absolute() else index}", err=True)
    raise SystemExit(int(ExitCode.INVALID_INPUT if collection.skipped else ExitCode.OK))


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
