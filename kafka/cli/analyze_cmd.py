"""``kafka analyze``: findings and metrics of case files, in the terminal or as data."""

from __future__ import annotations

import json
import shutil
import textwrap

import click

from kafka.analysis import Analysis
from kafka.cli.common import InputPath, csv_dialect_option, iter_cases, run_options
from kafka.csvfile import CsvDialect, dialect_for
from kafka.errors import ExitCode
from kafka.i18n import Translator
from kafka.jsontext import dumps_indented
from kafka.run import run_case
from kafka.tables import FINDING_COLUMNS, finding_rows

_LEVEL_COLOURS = {"local": "green", "supralocal": "magenta"}
_SEVERITY_COLOURS = {"high": "red", "medium": "yellow", "low": "white"}


@click.command()
@click.argument("paths", nargs=-1, required=True, type=InputPath())
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True,
              help="text: a readable table; json: the analysis (an object for one case, a list for several); "
                   "csv: one row per finding.")
@csv_dialect_option
@run_options
def analyze(paths, fmt, csv_dialect, options):
    """Find the red tape in case files: metrics, findings and proposals.

    PATHS are case files or folders of them. Invalid files are reported and
    skipped (exit code 1).

    \b
    Example:
      kafka analyze cases/leefloon-lindenberg.yaml
      kafka analyze cases/ --format csv > findings.csv
      kafka analyze cases/ --format csv --csv-dialect plain > findings-plain.csv
      kafka analyze cases/leefloon-lindenberg.yaml --format json --lang en --select D --ignore D03
      kafka analyze cases/leefloon-lindenberg.yaml --set long_wait_days=10 --set staff_hour_eur=45
    """
    # One case at a time: each is printed as soon as it is analysed, and memory is that of
    # one case (1,000 cases took 505 MiB when they were all loaded first).
    output = _Csv(dialect_for(options.lang, csv_dialect)) if fmt == "csv" else {"json": _Json, "text": _Text}[fmt]()
    good = bad = 0
    for loaded in iter_cases(paths):
        if not loaded.ok:
            bad += 1
            continue
        good += 1
        run = run_case(loaded, options, simulate=False)
        for warning in run.warnings:  # e.g. a case's evidence log cannot be read
            click.secho(warning, fg="yellow", err=True)
        output.add(run.analysis)
    output.close()
    if bad:
        click.secho(f"{bad} of {bad + good} case files were invalid and skipped", fg="red", err=True)
    raise SystemExit(int(ExitCode.INVALID_INPUT if bad else ExitCode.OK))


class _Text:
    def add(self, analysis: Analysis) -> None:
        _print_text(analysis)

    def close(self) -> None:
        pass


class _Csv:
    """One row per finding, the header (and the dialect's byte order mark) once."""

    def __init__(self, dialect: CsvDialect) -> None:
        self.dialect = dialect
        self.header = True

    def add(self, analysis: Analysis) -> None:
        click.echo(self.dialect.text(finding_rows(analysis), FINDING_COLUMNS, first=self.header), nl=False)
        self.header = False

    def close(self) -> None:
        if self.header:  # no valid case: the header alone, as for an empty table
            click.echo(self.dialect.text((), FINDING_COLUMNS), nl=False)


class _Json:
    """An object for one case, a list for several (or none): the text json.dumps gives for them.

    Whether there is exactly one case is known only at the end, so the first case is
    held back (as text) until a second one comes; from then on each is written at once.
    """

    def __init__(self) -> None:
        self.held: str | None = None
        self.count = 0

    def add(self, analysis: Analysis) -> None:
        text = dumps_indented(analysis.to_dict(), indent=1)  # json.dumps' text, faster
        self.count += 1
        if self.count == 1:
            self.held = text
            return
        if self.count == 2:
            click.echo("[\n" + _in_list(self.held), nl=False)
            self.held = None
        click.echo(",\n" + _in_list(text), nl=False)

    def close(self) -> None:
        if self.count == 0:
            click.echo(json.dumps([], indent=1))
        elif self.count == 1:
            click.echo(self.held)
        else:
            click.echo("\n]")


def _in_list(text: str) -> str:
    """A value's JSON as an item of a list dumped with indent=1 (json escapes newlines in strings)."""
    return "\n".join(" " + line for line in text.split("\n"))


def _print_text(analysis: Analysis) -> None:
    t = Translator(analysis.lang)
    info = analysis.case.case
    m = analysis.metrics
    width = min(shutil.get_terminal_size((100, 20)).columns, 120)
    click.secho(f"{info.title}", bold=True)
    click.echo(f"{info.organisation}" + (f" · {info.procedure}" if info.procedure else "") + f" · {info.id}")
    click.echo()
    figures = [
        (t("cli.lead_time"), f"{t.number(m.lead_time_days)} {t('cli.days')}"),
        (t("cli.client_time"), f"{t.number(m.client_minutes)} min"),
        (t("cli.staff_time"), f"{t.number(m.staff_minutes)} min"),
        (t("cli.contacts"), f"{m.client_contacts} ({m.in_person_visits} {t('cli.in_person')})"),
        (t("cli.organisations"), str(m.organisations)),
        (t("cli.stories"), str(m.story_count)),
        (t("cli.data"), f"{m.data_asked} / {m.data_unique}"),
        (t("cli.burden_year"), f"€ {t.number(m.annual.total_cost_eur)} ({t.number(m.annual.client_hours)} + "
                               f"{t.number(m.annual.staff_hours)} {t('cli.hours')})"),
    ]
    # version 1.1: only when the case says something about it
    if any(s.depends_on is not None for s in analysis.case.steps):
        figures.insert(1, (t("cli.dependency_lead_time"), f"{t.number(m.dependency_lead_time_days)} {t('cli.days')}"))
    if m.take_up is not None:
        figures.append((t("cli.take_up"), t("cli.take_up_value", share=f"{t.number(m.take_up * 100)}%",
                                              cases=t.number(info.cases_per_year),
                                              eligible=t.number(info.eligible_per_year))))
    for k, step_id in enumerate(m.repeating_steps):
        every = analysis.graph.steps[step_id].repeats_every_days
        times = round(analysis.graph.times_per_year(step_id), 1)
        figures.append((t("cli.repeating") if k == 0 else "", t.n(
            "cli.repeating_value", times, step=analysis.graph.steps[step_id].name, days=t.number(every),
            times=t.number(times, 0 if times.is_integer() else 1))))
    label_width = max(len(label) for label, _ in figures)
    for label, value in figures:
        click.echo(f"  {label:<{label_width}}  {value}")
    click.echo()
    if not analysis.findings:
        click.secho(f"  {t('cli.no_findings')}", fg="green")
        click.echo()
        return
    wrap = max(40, width - 26)
    for f in analysis.findings:
        level = click.style(f"{t('common.level.' + f.level.value):<11}", fg=_LEVEL_COLOURS[f.level.value])
        severity = click.style(f"{t('common.severity.' + f.severity.value):<6}", fg=_SEVERITY_COLOURS[f.severity.value])
        head = f"  {click.style(f.code, bold=True)}  {level} {severity} "
        lines = textwrap.wrap(f.message, wrap) or [""]
        click.echo(head + lines[0])
        indent = " " * 26
        for line in lines[1:]:
            click.echo(indent + line)
        saving = f.proposal.saving
        gain = f" (€\u00a0{t.number(saving.euro_year)}/{t('cli.year')})" if saving.euro_year else ""
        for i, line in enumerate(textwrap.wrap(f"→ {f.proposal.title}{gain}", wrap)):
            click.echo(indent + click.style(line, fg="cyan"))
    click.echo()
    n_local = len([f for f in analysis.findings if f.level.value == "local"])
    summary = t.n("cli.summary", len(analysis.findings), local=n_local, supralocal=len(analysis.findings) - n_local)
    click.echo(f"  {summary}")
    click.echo()
