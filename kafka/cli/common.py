"""Options and helpers shared by several commands."""

from __future__ import annotations

import click

from kafka.diagnostics import Problem, Severity


def lang_option(func):
    return click.option(
        "--lang",
        type=click.Choice(["nl", "en"]),
        default="nl",
        show_default=True,
        help="Language of the report and finding texts.",
    )(func)


def echo_problem(problem: Problem) -> None:
    color = "red" if problem.severity is Severity.ERROR else "yellow"
    click.secho(str(problem), fg=color, err=True)
