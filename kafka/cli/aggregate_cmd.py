"""``kafka aggregate``: many cases -> one static site for VVSG (index, agenda, case reports, CSV, XLSX)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from kafka.cli.common import InputPath, csv_dialect_option, messages_lang, run_options
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
@click.argument("paths", nargs=-1, required=True, type=InputPath())
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
@click.option("--status", "status_file", metavar="FILE", type=InputPath(dir_okay=False),
              help="The status register VVSG keeps by hand (.yaml or .csv): what became of each proposal. "
                   "The site and the agenda show each proposal's status and history.")
@click.option("--min-saving", type=click.FloatRange(min=0), default=1000, show_default=True, metavar="EUR",
              help="Agenda: leave out proposals that save less than EUR a year (unless they save --min-days).")
@click.option("--min-days", type=click.FloatRange(min=0), default=7, show_default=True, metavar="DAYS",
              help="Agenda: keep a proposal that saves less than --min-saving when it shortens the lead time by "
                   "at least DAYS per case (a deadline exceeded saves days, not euros).")
@click.option("--min-ocmws", type=click.IntRange(min=1), default=1, show_default=True, metavar="N",
              help="Agenda: leave out proposals that fewer than N organisations share.")
@click.option("--date", "run_date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD",
              help="The date the run counts as: the agenda's date and the run's date in DIR/history.sqlite "
                   "[default: today].")
@click.option("--public", is_flag=True,
              help="The site will be published: refuse (exit code 1, nothing written) when a case file holds what "
                   "looks like personal data (see 'kafka validate' and docs/privacy.md).")
@csv_dialect_option
@run_options(templates=True, to_be=False)
def aggregate(paths, out_dir, jobs, force, status_file, min_saving, min_days, min_ocmws, run_date, public, csv_dialect,
              options):
    """Aggregate many cases into one static site for VVSG.

    Reads every case file under PATHS and writes into DIR: index.html (all
    cases in a sortable, filterable table, the proposals merged across cases
    and how OCMW's compare per procedure), agenda.html (the supralocal
    agenda for a meeting: a one-page summary, then the proposals by theme,
    each addressed to the administration that can carry it out; printable
    on A4 with page numbers), trends.html (each proposal over the years and
    its status), a report per case in DIR/cases/, and findings.csv,
    proposals.csv and summary.xlsx.

    Every run that changes the site is also recorded in DIR/history.sqlite
    (SQLite: runs, cases, findings, proposals, statuses), which trends.html
    shows over the years.

    Invalid case files, and a second file with a case id that is already
    used, are reported and skipped (exit code 1); the others are still
    aggregated and the site lists the skipped files. A second run only
    re-renders the cases whose file (or evidence log) changed, and writes
    nothing at all when nothing changed (see DIR/manifest.json), unless
    --force.

    \b
    Example:
      kafka aggregate cases/ -o reports
      kafka aggregate cases/leefloon-lindenberg.yaml cases/leefloon-heidebeek.yaml -o site --lang en --jobs 2
      kafka aggregate cases/ -o reports --ignore T --set staff_hour_eur=45
      kafka aggregate cases/ -o reports --to-be
      kafka aggregate cases/ -o reports --status examples/status.yaml --min-saving 5000 --min-ocmws 2
      kafka aggregate cases/ -o site --public
      kafka aggregate cases/ -o site --csv-dialect plain
    """
    from kafka.aggregate import SiteOptions, aggregate as run_aggregate  # pandas: only for this command
    from kafka.aggregate.options import AgendaOptions

    register = _read_register(status_file) if status_file else None
    if public:
        _refuse_personal_data(paths)
    site = SiteOptions(AgendaOptions(min_saving, min_ocmws, min_days), register,
                       run_date.date() if run_date else None, csv_dialect=csv_dialect)
    progress = _Progress()
    try:
        result = run_aggregate(paths, out_dir, options, jobs=jobs, force=force, progress=progress,
                               writing_site=progress.writing_site, site=site)
    finally:
        progress.close()
    collection = result.collection
    for skipped in collection.skipped:
        for message in skipped.lines(messages_lang()):
            click.secho(message, fg="red", err=True)
    for case in collection.cases:
        for warning in case.warnings:
            click.secho(warning, fg="yellow", err=True)
    if register is not None:
        for entry in result.follow.unknown_status_keys:
            click.secho(f"{register.path}:{entry.line}: warning: {entry.key}: no proposal of this run or an "
                        "earlier one has this key (see the 'key' column of proposals.csv)", fg="yellow", err=True)
    organisations = len({c.organisation for c in collection.cases})
    click.echo(
        f"Aggregated {_count(len(collection.cases), 'case')} from {_count(organisations, 'organisation')} "
        f"({collection.rendered} rendered, {collection.reused} unchanged).",
        err=True,
    )
    if not result.site_written:
        click.echo("Nothing changed since the previous run: the site was left as it was (no run recorded).",
                   err=True)
    if collection.skipped:
        click.secho(f"{_count(len(collection.skipped), 'file')} skipped: see the messages above.", fg="red", err=True)
    index = Path(out_dir) / "index.html"
    click.echo(f"Open {os.path.relpath(index) if not Path(out_dir).is_absolute() else index}", err=True)
    raise SystemExit(int(ExitCode.INVALID_INPUT if collection.skipped else ExitCode.OK))


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _read_register(path: str):
    """The status register, or every problem in it (FILE:LINE:COL: key: message) and exit code 1."""
    from kafka.aggregate.status import StatusFileError, read_status_file

    try:
        return read_status_file(path)
    except StatusFileError as exc:
        for problem in exc.problems:
            click.secho(str(problem), fg="red", err=True)
        click.secho(f"{path}: the status register has {_count(len(exc.problems), 'problem')}; nothing was written",
                    fg="red", err=True)
        raise SystemExit(int(ExitCode.INVALID_INPUT)) from None


def _refuse_personal_data(paths) -> None:
    """--public: stop before anything is written when a case file looks like it holds personal data."""
    from kafka.loader import iter_case_files
    from kafka.privacy import scan_file

    findings = [problem for path in iter_case_files(paths) for problem in scan_file(path)]
    if not findings:
        return
    for problem in findings:
        click.secho(str(problem), fg="red", err=True)
    files = len({p.file for p in findings})
    click.secho(f"--public: {_count(files, 'case file')} look(s) like they hold personal data "
                f"({_count(len(findings), 'finding')}); nothing was written. Anonymise them first "
                "(kafka anonymise CASE -o OUT), see docs/privacy.md.", fg="red", err=True)
    raise SystemExit(int(ExitCode.INVALID_INPUT))
