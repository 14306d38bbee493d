"""``kafka settings``: the thresholds, tariffs and assumptions, with their defaults."""

from __future__ import annotations

import json

import click

from kafka.settings import Settings


@click.command("settings")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def settings(fmt: str) -> None:
    """List the settings that --set NAME=VALUE can change.

    Thresholds of the findings, the Standard Cost Model tariffs and the
    assumptions behind the saving estimates (see docs/analysis.md). The
    tariffs can also be set per case file under case.tariffs.

    \b
    Example:
      kafka settings
      kafka analyze cases/leefloon-lindenberg.yaml --set long_wait_days=10 --set staff_hour_eur=45
    """
    rows = Settings.describe()
    if fmt == "json":
        click.echo(json.dumps([{"name": n, "default": d, "help": h} for n, d, h in rows], indent=2))
        return
    width = max(len(name) for name, _, _ in rows)
    for name, default, help_text in rows:
        click.echo(f"{name:<{width}}  {default!s:>6}  {help_text}")
