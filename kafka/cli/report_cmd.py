"""``kafka report``: one self-contained HTML report per case file."""

from __future__ import annotations

import os

import click

from kafka.cli.common import InputPath, load_cases, run_options
from kafka.errors import ExitCode, RenderError
from kafka.report import write_case_report
from kafka.run import run_case


@click.command()
@click.argument("paths", nargs=-1, required=True, type=InputPath())
@click.option("-o", "--output", "output", required=True, metavar="DIR", type=click.Path(file_okay=False, path_type=str),
              help="Folder to write the reports to (created when missing): DIR/<case id>.html.")
@run_options(templates=True)
def report(paths, output, options):
    """Write an HTML report for each case: map, timeline, data, findings and proposals.

    PATHS are case files or folders of them. Each report is one offline file
    (no internet needed, nothing fetched) that prints on A4. Invalid files are
    reported and skipped (exit code 1).

    \b
    Example:
      kafka report cases/leefloon-lindenberg.yaml -o reports/
      kafka report cases/ -o reports/ --lang en
      kafka report cases/leefloon-lindenberg.yaml -o out/ --ignore D03 --set long_wait_days=10
    """
    good, bad = load_cases(paths)
    undrawn = 0
    for loaded in good:  # case ids are unique among them (load_cases)
        run = run_case(loaded, options)
        for warning in run.warnings:
            click.secho(warning, fg="yellow", err=True)
        try:
            path = write_case_report(run, output)
        except RenderError as exc:  # this case only: the other reports are still written
            click.secho(f"{exc}; it is skipped", fg="red", err=True)
            undrawn += 1
            continue
        click.echo(f"wrote {_shown(path)}")
    if bad:
        click.secho(f"{len(bad)} of {len(bad) + len(good)} case files were invalid and skipped", fg="red", err=True)
    raise SystemExit(int(ExitCode.INVALID_INPUT if bad or undrawn else ExitCode.OK))


def _shown(path) -> str:
    """The path relative to the current folder when it is below it: shorter to read."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative
