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
@click.option("--lang", type=click.Choice(["en", "nl"]), default="en", show_default=True,
              help="Language of the comments in the file (nl: Dutch, for a Flemish workshop).")
def new(case_id: str, procedure: str | None, output: str | None, force: bool, lang: str) -> None:
    """Write a commented starter case file for a workshop.

    The comments (English, or Dutch with --lang nl) explain every key; the
    example names and texts (Dutch) show what goes where. The keys are English
    in every language. The file is valid as written: check your changes with
    'kafka validate'. An existing file is never overwritten unless you add
    --force.

    \b
    Example:
      kafka new leefloon-sara --procedure leefloon
      kafka new leefloon-sara --procedure leefloon --lang nl -o -
      kafka new huurwaarborg-jan --procedure huurwaarborg -o cases/huurwaarborg-jan.yaml
      kafka new test -o -
    """
    target = output or f"{case_id}.yaml"
    file_name = f"{case_id}.yaml" if target == "-" else target
    emit(starter_text(case_id, procedure, file_name=file_name, lang=lang), target, force=force)
    if target != "-":
        said = " --lang nl" if lang == "nl" else ""  # the problems then in Dutch too
        click.echo(f"Next: kafka validate {target}{said}   then: kafka analyze {target}", err=True)
