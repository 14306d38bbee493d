"""Options and helpers shared by several commands.

The flags that choose how a case is analysed (--select, --ignore, --set,
--lang, and --templates for the commands that write HTML) become one
:class:`kafka.run.RunOptions`, checked once, which the command receives as
its ``options`` argument.
"""

from __future__ import annotations

import functools
from typing import Callable, Iterable

import click

from kafka.diagnostics import Problem, Severity
from kafka.errors import UsageProblem
from kafka.loader import LoadedCase
from kafka.run import RunOptions, load_set
from kafka.settings import default_settings


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
        default_settings().with_overrides(pairs)
    except UsageProblem as exc:
        raise click.BadParameter(str(exc)) from None
    return pairs


def _check_prefixes(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    """A prefix that matches no finding code is a typo, not an empty selection."""
    from kafka.detectors import codes_matching

    try:
        codes_matching(values)
    except UsageProblem as exc:
        raise click.BadParameter(str(exc)) from None
    return values


def run_options(func: Callable | None = None, *, templates: bool = False, to_be: bool = True) -> Callable:
    """--select, --ignore, --set and --lang (and --templates, with ``templates``), given to
    the command as one checked ``options: RunOptions``. ``to_be`` is whether its reports
    draw the to-be; a command with its own ``--to-be`` flag has it taken into the options."""

    def decorate(command: Callable) -> Callable:
        @functools.wraps(command)
        def wrapper(*args, select, ignore, overrides, lang, templates_dir=None, **kwargs):
            draw_to_be = kwargs.pop("to_be", to_be)
            try:
                options = RunOptions.of(lang, select, ignore, overrides, to_be=draw_to_be, templates=templates_dir)
            except UsageProblem as exc:
                raise click.UsageError(str(exc)) from None
            return command(*args, options=options, **kwargs)

        options = [
            click.option("--select", "select", multiple=True, metavar="PREFIX", callback=_check_prefixes,
                         help="Only findings whose code starts with PREFIX (D, D01, T...). Repeatable."),
            click.option("--ignore", "ignore", multiple=True, metavar="PREFIX", callback=_check_prefixes,
                         help="Leave out findings whose code starts with PREFIX. Repeatable."),
            click.option("--set", "overrides", multiple=True, metavar="NAME=VALUE", callback=check_settings,
                         help="Change a threshold, tariff or assumption (see 'kafka settings'). Repeatable."),
            lang_option,
        ]
        if templates:
            options.append(click.option(
                "--templates", "templates_dir", metavar="DIR",
                type=click.Path(exists=True, file_okay=False, path_type=str),
                help="A folder of templates that come before kafka's own (e.g. a _base.html with the "
                     "OCMW's colours); see docs/report.md."))
        for option in reversed(options):
            wrapper = option(wrapper)
        return wrapper

    return decorate(func) if func is not None else decorate


def load_cases(paths: Iterable[str], *, quiet: bool = False) -> tuple[list[LoadedCase], list[LoadedCase]]:
    """Load every case file under ``paths``: (valid, invalid). Problems go to stderr.

    A case id used by an earlier file makes the later file invalid (kafka.run.load_set).
    """
    try:
        case_set = load_set(paths)
    except UsageProblem as exc:
        raise click.UsageError(str(exc)) from None
    if not quiet:
        for loaded in case_set.files:
            for problem in loaded.problems:
                echo_problem(problem)
    return case_set.valid, case_set.invalid


def echo_problem(problem: Problem) -> None:
    color = "red" if problem.severity is Severity.ERROR else "yellow"
    click.secho(str(problem), fg=color, err=True)
