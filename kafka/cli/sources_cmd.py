"""``kafka sources``: the built-in catalogue of authentic sources."""

from __future__ import annotations

import json

import click

from kafka.catalogue import catalogue_rows

_COLUMNS = [("key", "key"), ("name", "name"), ("level", "level"), ("via", "via"),
            ("local_access", "local access"), ("what", "what")]


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: a readable table; json: a list of objects.")
def sources(fmt: str) -> None:
    """List the built-in catalogue of authentic sources.

    A data item's 'source:' names one of these keys (or a source the case
    defines itself). 'local access' says whether a local social service can
    consult the source electronically today, via the KSZ or MAGDA.

    \b
    Example:
      kafka sources
      kafka sources --format json
    """
    rows = catalogue_rows()
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    cells = [[_cell(row[key]) for key, _ in _COLUMNS] for row in rows]
    headers = [title for _, title in _COLUMNS]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()  # noqa: E731
    click.echo(click.style(line(headers), bold=True))
    click.echo(line(["-" * w for w in widths]))
    for row in cells:
        click.echo(line(row))


def _cell(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)
