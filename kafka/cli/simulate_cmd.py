"""``kafka simulate``: the to-be procedure once the proposals are taken, beside the as-is."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import click

from kafka.cli.common import load_cases, run_options
from kafka.detectors import CODES, codes_matching
from kafka.errors import ExitCode, InputError, UsageProblem
from kafka.i18n import Translator
from kafka.metrics import CONTRACT_METRICS
from kafka.run import run_case
from kafka.simulate import Scenario, simulate
from kafka.simulate.casefile import check_target, write_to_be

_LEVEL_COLOURS = {"local": "green", "supralocal": "magenta"}

# The rows of the before/after table: the contract's metrics, then the year.
_EXTRA_ROWS = ("steps", "loop_extra_days")
_YEAR_ROWS = ("client_hours_year", "staff_hours_year", "total_cost_eur")


def _codes(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...] | None:
    """--apply D01 --apply D02,S  ->  the codes, by exact code or prefix (as --select)."""
    if not values:
        return None
    wanted = [part.strip() for value in values for part in value.split(",") if part.strip()]
    if not wanted:
        raise click.BadParameter(f"name a finding code: {' '.join(CODES)} (or a prefix such as D)")
    try:
        return codes_matching(wanted)
    except UsageProblem as exc:
        raise click.BadParameter(f"{exc}; use a code or a prefix such as D") from None


@click.command(name="simulate")
@click.argument("case", type=click.Path(path_type=str))
@click.option("--apply", "codes", multiple=True, metavar="CODE", callback=_codes,
              help="Only the proposals of these findings (D01, S02, or a prefix such as D). "
                   "Repeatable, or comma-separated. Default: every proposal.")
@click.option("--level", type=click.Choice(["local", "supralocal"]), default=None,
              help="Only the proposals at this level: 'local' is what the organisation can do on its own.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: the as-is and the to-be side by side; json: the same as data.")
@click.option("--write", "write_path", type=click.Path(dir_okay=False, path_type=str), metavar="TO_BE.yaml",
              help="Also write the to-be procedure as a case file (it validates and can be analysed again).")
@run_options
def simulate_cmd(case, codes, level, fmt, write_path, options):
    """Show the procedure once the proposals are taken: the to-be beside the as-is.

    Every proposal changes the case: an item asked once and reused (D01), the
    source consulted instead of the client (D02), an unused item dropped
    (D03), a paper passed on between organisations (D04), a story told once
    (S01), visits brought together (S02), a wait cut (T01, T02), steps started
    when what they need is there (T03), a loop removed (L01), one assessment
    instead of two (P01) or shared by the agencies (P04), automatic granting
    (P02), a shorter form (P03), a renewal that asks only what can change
    (R01), the entitled invited (N01), one trajectbegeleider (C01). The to-be
    is analysed again, so what remains shows.

    \b
    Example:
      kafka simulate cases/leefloon-lindenberg.yaml
      kafka simulate case.yaml --level local              # what the OCMW can do itself
      kafka simulate case.yaml --apply D01 --apply D02    # only these proposals
      kafka simulate case.yaml --write to-be.yaml && kafka analyze to-be.yaml
      kafka simulate case.yaml --format json --lang en
    """
    if Path(case).is_dir():
        raise click.BadParameter(f"'{case}' is a folder; simulate takes one case file", param_hint="CASE")
    if write_path:
        check_target(write_path, case)  # before the work, not after it
    good, bad = load_cases([case])
    if bad:
        raise InputError(f"{case} is not a valid case file; see the problems above (kafka validate {case})")
    loaded = good[0]
    analysis = run_case(loaded, options, simulate=False).analysis
    name = "all" if codes is None and level is None else "local" if codes is None and level == "local" else "custom"
    scenario = simulate(analysis, codes, level, name=name)
    if fmt == "json":
        payload = {"case": analysis.to_dict()["case"], **scenario.to_dict()}
        click.echo(json.dumps(payload, indent=1, ensure_ascii=False))
    else:
        _print_text(scenario, analysis.case.case, Translator(options.lang))
    if write_path:
        written = write_to_be(write_path, scenario, source=str(loaded.path))
        click.echo(f"Wrote the to-be case file {written}", err=True)
    raise SystemExit(int(ExitCode.OK))


def _print_text(scenario: Scenario, info, t: Translator) -> None:
    width = min(shutil.get_terminal_size((100, 20)).columns, 120)
    click.secho(info.title, bold=True)
    click.echo(f"{info.organisation}" + (f" · {info.procedure}" if info.procedure else "") + f" · {info.id}")
    click.echo(f"{t('simulate.scenario.' + scenario.name)}: {t.n('simulate.summary.applied', len(scenario.applied))}")
    click.echo()
    _print_table(scenario, t)
    click.echo()
    _print_applied(scenario, t, width)
    _print_saving(scenario, t, width)
    remaining = scenario.remaining
    if remaining:
        codes = " ".join(dict.fromkeys(f.code for f in remaining))
        click.echo(f"  {t.n('simulate.summary.remaining', len(remaining))} ({codes})")
    else:
        click.secho(f"  {t('simulate.summary.none_remaining')}", fg="green")
    click.echo()


def _print_table(scenario: Scenario, t: Translator) -> None:
    a, b = scenario.as_is, scenario.to_be
    rows = []
    for name in (*CONTRACT_METRICS, *_EXTRA_ROWS):
        rows.append((t(f"simulate.metric.{name}"), getattr(a, name), getattr(b, name)))
    year = {"client_hours_year": "client_hours", "staff_hours_year": "staff_hours", "total_cost_eur": "total_cost_eur"}
    for name in _YEAR_ROWS:
        rows.append((t(f"simulate.metric.{name}"), getattr(a.annual, year[name]), getattr(b.annual, year[name])))
    head = (t("simulate.heading.metric"), t("simulate.scenario.as_is"), t("simulate.scenario.to_be"),
            t("simulate.heading.difference"))
    cells = [(label, _num(t, x), _num(t, y), _diff(t, y - x)) for label, x, y in rows]
    widths = [max(len(r[i]) for r in [head, *cells]) for i in range(4)]
    click.secho("  " + _row(head, widths), bold=True)
    for cell, (_, x, y) in zip(cells, rows):
        line = "  " + _row(cell, widths)
        click.secho(line, fg="green" if y < x else None)


def _row(cells, widths) -> str:
    label, *numbers = cells
    return f"{label:<{widths[0]}}  " + "  ".join(f"{n:>{w}}" for n, w in zip(numbers, widths[1:]))


def _num(t: Translator, value: float) -> str:
    return t.number(value, 0 if float(value).is_integer() or abs(value) >= 100 else 1)


def _diff(t: Translator, value: float) -> str:
    if abs(value) < 0.005:
        return "="
    return ("+" if value > 0 else "-") + _num(t, abs(value))


def _print_applied(scenario: Scenario, t: Translator, width: int) -> None:
    if not scenario.applied:
        click.echo(f"  {t('simulate.summary.no_proposals')}")
        click.echo()
        return
    click.secho(t("simulate.heading.applied"), bold=True)
    wrap = max(40, width - 10)
    for applied in scenario.applied:
        level = click.style(f"{t('common.level.' + applied.level.value):<11}", fg=_LEVEL_COLOURS[applied.level.value])
        title = textwrap.wrap(applied.proposal, max(30, width - 20)) or [""]
        click.echo(f"  {click.style(applied.code, bold=True)}  {level} {title[0]}")
        for line in title[1:]:
            click.echo(f"{'':19}{line}")
        for change in applied.changes or [t("simulate.change.already_done")]:
            lines = textwrap.wrap(change, wrap) or [""]
            click.echo(f"        · {lines[0]}")
            for line in lines[1:]:
                click.echo(f"          {line}")
    click.echo()


def _print_saving(scenario: Scenario, t: Translator, width: int) -> None:
    s = scenario.saving
    click.secho(t("simulate.heading.saving"), bold=True)
    texts = [
        t("simulate.summary.saving_case", client=t.number(s.client_minutes), staff=t.number(s.staff_minutes),
          days=t.number(s.lead_days)),
        t.n("simulate.summary.saving_year", scenario.as_is.annual.cases, cases=t.number(scenario.as_is.annual.cases),
          client_hours=t.number(s.client_hours_year), staff_hours=t.number(s.staff_hours_year),
          euro=t.number(s.euro_year)),
    ]
    for text in texts:
        for i, line in enumerate(textwrap.wrap(text, max(40, width - 4))):
            click.echo(f"  {line}")
    click.echo()
