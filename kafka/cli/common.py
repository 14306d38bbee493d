"""Options and helpers shared by several commands.

The flags that choose how a case is analysed (--select, --ignore, --set,
--lang, and --templates for the commands that write HTML) become one
:class:`kafka.run.RunOptions`, checked once, which the command receives as
its ``options`` argument.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

import click

from kafka.diagnostics import Problem, Severity
from kafka.errors import UsageProblem

if TYPE_CHECKING:
    from kafka.loader import LoadedCase

# kafka.run (and with it the detectors, networkx and pydantic) is imported when a
# command runs, not when it is defined: `kafka validate` and `kafka --help` stay light.


class InputPath(click.ParamType):
    """A file or folder the command reads: one that does not exist is "not found", a usage
    error (exit code 2) before anything runs, never an invalid case file; with a hint when
    the name exists in the current folder or in cases/ (the README's walkthrough)."""

    name = "path"

    def __init__(self, *, dir_okay: bool = True, path_type: type = str):
        self.dir_okay = dir_okay
        self.path_type = path_type

    def convert(self, value, param, ctx):
        if isinstance(value, Path) and self.path_type is Path:
            path = value
        else:
            path = Path(value)
        if not path.exists():
            raise click.UsageError(f"{value}: not found (no such file or folder){_hint(path)}", ctx)
        if path.is_dir() and not self.dir_okay:
            raise click.UsageError(f"{value} is a folder; give a file", ctx)
        return path if self.path_type is Path else str(value)


def _hint(path: Path) -> str:
    for candidate in (Path(path.name), Path("cases") / path.name):
        if candidate != path and candidate.is_file():
            return f"; did you mean {candidate}?"
    return ""


# ctx.meta key: the language of the problems printed on the terminal (echo_problem).
MESSAGES_LANG = "kafka.messages_lang"


def _note_messages_lang(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """The terminal speaks English unless --lang was given: `--lang nl` makes the problems
    of case files Dutch too (the reports are Dutch by default either way)."""
    if ctx.get_parameter_source(param.name) not in (None, click.core.ParameterSource.DEFAULT):
        ctx.meta[MESSAGES_LANG] = value
    return value


def lang_option(func: Callable) -> Callable:
    return click.option(
        "--lang",
        type=click.Choice(["nl", "en"]),
        default="nl",
        show_default=True,
        callback=_note_messages_lang,
        help="Language of the report and finding texts. The problems of case files are printed in "
             "English unless --lang is given.",
    )(func)


def messages_lang() -> str:
    """The language of the problems printed on the terminal: English unless --lang was given."""
    ctx = click.get_current_context(silent=True)
    return ctx.meta.get(MESSAGES_LANG, "en") if ctx is not None else "en"


def csv_dialect_option(func: Callable) -> Callable:
    """--csv-dialect: how the CSV files are written; by default the one of --lang (kafka.csvfile)."""
    return click.option(
        "--csv-dialect", "csv_dialect", type=click.Choice(["excel-be", "plain"]), default=None,
        help="CSV for Excel set up for Belgium (excel-be: ';', decimal comma, UTF-8 with a byte order mark) or "
             "plain CSV (',', decimal point) [default: excel-be with --lang nl, plain with --lang en].",
    )(func)


def check_settings(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    pairs = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"'{value}' is not NAME=VALUE (for example long_wait_days=10)")
        pairs[name.strip()] = text.strip()
    from kafka.settings import default_settings

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
            from kafka.run import RunOptions

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
    from kafka.run import load_set

    try:
        case_set = load_set(paths)
    except UsageProblem as exc:
        raise click.UsageError(str(exc)) from None
    if not quiet:
        for loaded in case_set.files:
            for problem in loaded.problems:
                echo_problem(problem)
    return case_set.valid, case_set.invalid


def iter_cases(paths: Iterable[str], *, quiet: bool = False) -> Iterator[LoadedCase]:
    """:func:`load_cases` one file at a time (kafka.run.iter_set): each file's problems
    go to stderr when it is reached. Yields valid and invalid files alike."""
    from kafka.run import iter_set

    try:
        files = iter_set(paths)
    except UsageProblem as exc:
        raise click.UsageError(str(exc)) from None
    for loaded in files:
        if not quiet:
            for problem in loaded.problems:
                echo_problem(problem)
        yield loaded


def echo_problem(problem: Problem) -> None:
    """FILE:LINE:COL: key.path: message on stderr, in the terminal's language (messages_lang)."""
    color = "red" if problem.severity is Severity.ERROR else "yellow"
    click.secho(problem.line_text(messages_lang()), fg=color, err=True)
