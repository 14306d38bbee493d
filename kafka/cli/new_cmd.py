"""``kafka new``: a commented starter case file for a workshop."""

from __future__ import annotations

import click

from kafka.cli.files import emit, output_option
from kafka.starters import is_id, starter_names, starter_text


def _check_id(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not is_id(value):
        raise click.BadParameter(
            f"'{value}' is not a valid id: use lowercase letters, digits, '-' and '_', "
            "starting with a letter or digit (for example leefloon-sara)"
        )
    return value


@click.command()
@click.argument("case_id", metavar="ID", callback=_check_id)
@click.option("--procedure", "-p", metavar="NAME", callback=_check_id,
              help="Procedure type; with a starter of its own for: "
                   + ", ".join(n for n in starter_names() if n != "generic") + ".")
@output_option("Where to write it (default: ID.yaml in the current folder; '-' prints it).")
@click.option("--force", "-f", is_flag=True, help="Overwrite FILE if it exists.")
def new(case_id: str, procedure: str | None, output: str | None, force: bool) -> None:
    """Write a commented starter case file for a workshop.

    The comments (English) explain every key; the example names and texts
    (Dutch) show what goes where. The file is valid as written: check your
    changes with 'kafka validate'. An existing file is never overwritten
    unless you add --force.

    \b
    Example:
      kafka new leefloon-sara --procedure leefloon
      kafka new huurwaarborg-jan --procedure huurwaarborg -o cases/huurwaarborg-jan.yaml
      kafka new test -o -
    """
    target = output or f"{case_id}.yaml"
    file_name = f"{case_id}.yaml" if target == "-" else target
    emit(starter_text(case_id, procedure, file_name=file_name), target, force=force)
    if target != "-":
        click.echo(f"Next: kafka validate {target}   then: kafka analyze {target}", err=True)
