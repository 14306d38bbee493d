"""Options and helpers shared by several commands."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Iterable

import click

from kafka.analysis import Analysis, analyze
from kafka.detectors import CODES, selected
from kafka.diagnostics import Problem, Severity
from kafka.errors import UsageProblem
from kafka.loader import LoadedCase, iter_case_files, load_case
from kafka.settings import DEFAULT_SETTINGS, Settings
from kafka.validate import check_case_set


def lang_option(func: Callable) -> Callable:
    return click.option(
        "--lang",
        type=click.Choice(["nl", "en"]),
        default="nl",
        show_default=True,
        help="Language of the report and finding texts.",
    )(func)


def check_settings(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    pairs = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"'{value}' is not NAME=VALUE (for example long_wait_days=10)")
        pairs[name.strip()] = text.strip()
    try:  # check names and values now, before any case file is read
        DEFAULT_SETTINGS.with_overrides(pairs)
    except UsageProblem as exc:
        raise click.BadParameter(str(exc)) from None
    return pairs


def _check_prefixes(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    """A prefix that matches no finding code is a typo, not an empty selection."""
    for value in values:
        if not any(code.startswith(value.upper()) for code in CODES):
            raise click.BadParameter(f"'{value}' matches no finding code ({', '.join(CODES)})")
    return values


def analysis_options(func: Callable) -> Callable:
    """--select, --ignore, --set and --lang, as every analysing command takes them."""
    options = [
        click.option("--select", "select", multiple=True, metavar="PREFIX", callback=_check_prefixes,
                     help="Only findings whose code starts with PREFIX (D, D01, T...). Repeatable."),
        click.option("--ignore", "ignore", multiple=True, metavar="PREFIX", callback=_check_prefixes,
                     help="Leave out findings whose code starts with PREFIX. Repeatable."),
        click.option("--set", "overrides", multiple=True, metavar="NAME=VALUE", callback=check_settings,
                     help="Change a threshold, tariff or assumption (see 'kafka settings'). Repeatable."),
        lang_option,
    ]
    for option in reversed(options):
        func = option(func)
    return func


@dataclass(frozen=True)
class AnalysisOptions:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    overrides: dict | None = None
    lang: str = "nl"

    def __post_init__(self) -> None:
        if not selected(self.select, self.ignore):
            raise UsageProblem("--select and --ignore leave no finding code to look for")

    @cached_property
    def settings(self) -> Settings:
        # Names and values were checked when the options were parsed (check_settings).
        return DEFAULT_SETTINGS.with_overrides(self.overrides or {})

    def run(self, loaded: LoadedCase) -> Analysis:
        case, evidence = loaded.case, None
        if case.evidence is not None:  # told versus logged: the case names an event log (kafka.log.evidence)
            from kafka.log.evidence import apply_to_case, case_evidence

            evidence = case_evidence(case, loaded.path)
            _warn_evidence(loaded, evidence)
            case = apply_to_case(case, evidence)
        analysis = analyze(
            case,
            self.settings,
            lang=self.lang,
            select=self.select,
            ignore=self.ignore,
            explicit_settings=frozenset(self.overrides or {}),
        )
        if evidence is not None:
            from kafka.log.evidence import annotate_findings

            analysis = annotate_findings(analysis, evidence)
        return analysis


def _warn_evidence(loaded: LoadedCase, evidence) -> None:
    """The log of a case's evidence could not be read, or names activities it does not have: say so
    (the case is still analysed, as told)."""
    line, col = (loaded.positions.of(("evidence",)) if loaded.positions else (0, 0))
    where = f"{loaded.path}:{line}:{col}" if line else str(loaded.path)
    if evidence.error:
        click.secho(f"{where}: warning: evidence: {evidence.error}; the case is analysed without its log",
                    fg="yellow", err=True)
    for activity in evidence.unknown_activities:
        click.secho(f"{where}: warning: evidence.steps: no activity {activity} in {evidence.log_name}",
                    fg="yellow", err=True)


def load_cases(paths: Iterable[str], *, quiet: bool = False) -> tuple[list[LoadedCase], list[LoadedCase]]:
    """Load every case file under ``paths``: (valid, invalid). Problems go to stderr.

    A case id used by an earlier file makes the later file invalid: case ids
    are unique across a set of cases (case-format.md), and every command treats
    a repeated one the same way.
    """
    files = list(iter_case_files(paths))
    if not files:
        raise click.UsageError("no case files (*.yaml, *.yml) found in the given paths")
    loaded_files = [load_case(path) for path in files]
    check_case_set(loaded_files)
    good, bad = [], []
    for loaded in loaded_files:
        if not quiet:
            for problem in loaded.problems:
                echo_problem(problem)
        (good if loaded.ok else bad).append(loaded)
    return good, bad


def echo_problem(problem: Problem) -> None:
    color = "red" if problem.severity is Severity.ERROR else "yellow"
    click.secho(str(problem), fg=color, err=True)
