"""``kafka serve``: the live report of a case file (or folder) for workshops."""

from __future__ import annotations

import signal
import threading
import time

import click

from pathlib import Path

from kafka.casedoc import EditSession
from kafka.cli.common import echo_problem, run_options
from kafka.serve import DEFAULT_PORT, Change, LiveServer, LiveSite


@click.command()
@click.argument("path", type=click.Path(exists=True, path_type=str))
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True,
              help="Port on 127.0.0.1 to serve on; 0 picks a free one.")
@click.option("--edit", "edit", is_flag=True,
              help="Workshop mode: edit the case file in the browser (forms in Dutch, undo, history). "
                   "Opens with the address printed at start; other screens follow read-only.")
@run_options(templates=True)
def serve(path, port, edit, options):
    """Show the report of a case file live in the browser, for workshops.

    The page follows the file: save it and the browser refreshes by itself.
    While the file has errors, the page shows them with their lines, and it
    shows the report again once they are fixed. With a folder, the page lists
    its case files, each opening its own live report, and links to the
    folder's VVSG site (as kafka aggregate makes it), kept up to date too. The
    server listens on 127.0.0.1 only; stop it with Ctrl-C.

    With --edit (one case file), the facilitator maps the case in the
    browser: add, change, remove and reorder steps, pick actors and data from
    lists, mark story points, waits, quotes and feelings; every change is
    checked first and written to the file, keeping its comments; undo and
    redo; earlier versions are kept in .kafka-history/ beside the file. Only
    the printed editing address can change the file; the plain address is
    read-only, for the projector and other screens.

    \b
    Example:
      kafka serve cases/leefloon-heidebeek.yaml
      kafka serve cases/ --port 8080 --lang en
      kafka serve cases/leefloon-heidebeek.yaml --edit --port 8001
    """
    editor = None
    if edit:
        if Path(path).is_dir():
            raise click.UsageError("--edit works on one case file, not a folder: name the file to edit")
        editor = EditSession(path, lang=options.lang)
    site = LiveSite(path, options)
    server = LiveServer(site, port=port, on_change=_report_change, editor=editor)  # binds now: a busy port fails here
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())  # `kill` stops as cleanly as Ctrl-C
    try:  # from here on, Ctrl-C at any moment stops cleanly
        click.secho(f"Serving {path} on {server.url}", bold=True)
        if server.edit_url:
            click.secho(f"Edit it at {server.edit_url}", bold=True)
            click.echo("That address (keep it to yourself) edits the file; the first one is read-only, "
                       "for the projector and other screens.")
        click.echo("Open that address in a browser; it follows every save. Press Ctrl-C to stop.")
        server.start()
        while not stopped.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    click.echo("Stopped.")


def _report_change(change: Change) -> None:
    """One line per changed file in the terminal, and its problems under it."""
    now = time.strftime("%H:%M:%S")
    for state in change.updated:
        if state.run is not None:
            n = len(state.run.analysis.findings)
            click.echo(f"{now}  {state.name}: ok, {n} finding{'s' if n != 1 else ''}")
        elif state.failure is not None:
            click.secho(f"{now}  {state.name}: the analysis failed: {state.failure.strip().splitlines()[-1]}",
                        fg="red", err=True)
        else:
            n = len(state.loaded.errors)
            click.secho(f"{now}  {state.name}: {n} error{'s' if n != 1 else ''}", fg="red", err=True)
        for problem in state.loaded.problems:
            echo_problem(problem)
    for path in change.removed:
        click.echo(f"{now}  {path}: removed")
