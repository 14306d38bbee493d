"""Writing a command's text output to a file (atomically) or to stdout ('-')."""

from __future__ import annotations

from pathlib import Path
import click

from kafka.output import write_atomic


def output_option(help_text: str):
    return click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), metavar="FILE",
                        help=help_text)


def emit(text: str, output: str | None, *, force: bool = True) -> None:
    """Print ``text``, or write it to ``output`` ('-' is stdout) and say so on stderr.

    ``output`` is never one of the files the command read (kafka.output.write_atomic refuses that)."""
    if output in (None, "-"):
        click.echo(text, nl=False)
        return
    path = Path(output)
    if path.exists() and not force:
        raise click.UsageError(f"{path} already exists; use --force to overwrite it")
    if not path.parent.is_dir():
        raise click.UsageError(f"the folder {path.parent} does not exist")
    write_atomic(path, text)
    click.echo(f"Wrote {path}", err=True)
