"""The ``kafka`` command line: a thin layer that wires the library's stages together.

Each command lives in its own module of this package and is listed, in the
order ``kafka --help`` shows them, in :data:`COMMANDS`. A command's module
is imported only when that command runs (or is asked for): ``kafka --help``
and ``kafka validate`` then do not pay for networkx, jinja2, pygraphviz,
pandas or the web server (about 0.6 s of CPU before, per command).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator, MutableMapping

import click

from kafka import __version__
from kafka.errors import ExitCode, KafkaError
from kafka.output import inputs_of_one_run

# In the order `kafka --help` lists them: the workshop's path first. Each: the module,
# the click command in it, and the first paragraph of its help, which `kafka --help`
# shows without importing the module (tests/test_cli_foundation.py checks it against
# the command's own help).
COMMANDS: dict[str, tuple[str, str, str]] = {
    "new": ("kafka.cli.new_cmd", "new", "Write a commented starter case file for a workshop."),
    "validate": ("kafka.cli.validate_cmd", "validate", "Check case files (or every *.yaml/*.yml under folders)."),
    "analyze": ("kafka.cli.analyze_cmd", "analyze",
                "Find the red tape in case files: metrics, findings and proposals."),
    "report": ("kafka.cli.report_cmd", "report",
               "Write an HTML report for each case: map, timeline, data, findings and proposals."),
    "forms": ("kafka.cli.forms_cmd", "forms", "Review forms field by field: what to keep, prefill, reuse or drop."),
    "simulate": ("kafka.cli.simulate_cmd", "simulate_cmd",
                 "Show the procedure once the proposals are taken: the to-be beside the as-is."),
    "export": ("kafka.cli.export_cmd", "export",
               "Export case files for other tools: BPMN, the process map (DOT, SVG, PNG), or JSON."),
    "serve": ("kafka.cli.serve_cmd", "serve", "Show the report of a case file live in the browser, for workshops."),
    "aggregate": ("kafka.cli.aggregate_cmd", "aggregate", "Aggregate many cases into one static site for VVSG."),
    "anonymise": ("kafka.cli.anonymise_cmd", "anonymise",
                  "Write a copy of CASE with the client's name and personal data replaced."),
    "log": ("kafka.cli.log_cmd", "log", "Event logs from case-management systems: measured waits, variants, deadlines."),
    "schema": ("kafka.cli.schema_cmd", "schema", "Print the JSON Schema of case files, for editors."),
    "sources": ("kafka.cli.sources_cmd", "sources", "List the built-in catalogue of authentic sources."),
    "settings": ("kafka.cli.settings_cmd", "settings", "List the settings that --set NAME=VALUE can change."),
}


class _Commands(MutableMapping):
    """The group's commands by name, each imported from its module on first use."""

    def __init__(self, registry: dict[str, tuple[str, str, str]]):
        self._registry = registry
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            module, attribute, _ = self._registry[name]
            self._loaded[name] = getattr(importlib.import_module(module), attribute)
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:  # click.Group.add_command
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        self._loaded.pop(name, None)
        self._registry.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter({**dict.fromkeys(self._registry), **dict.fromkeys(self._loaded)})

    def __len__(self) -> int:
        return len(set(self._registry) | set(self._loaded))

    def __contains__(self, name: object) -> bool:
        return name in self._registry or name in self._loaded

    def listed(self, name: str) -> click.Command:
        """The command as ``kafka --help`` lists it: the real one if loaded, else a stand-in with its help."""
        if name in self._loaded or name not in self._registry:
            return self[name]
        return click.Command(name, help=self._registry[name][2])


class _Group(click.Group):
    """Turns library errors into one clear line and a named exit code, never a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)  # registry order, not alphabetical

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """As click lists them, from the registry's help texts: no command module is imported."""
        rows = [(name, self.commands.listed(name)) for name in self.list_commands(ctx)]
        rows = [(name, command) for name, command in rows if not command.hidden]
        if rows:
            limit = formatter.width - 6 - max(len(name) for name, _ in rows)
            with formatter.section("Commands"):
                formatter.write_dl([(name, command.get_short_help_str(limit)) for name, command in rows])

    def invoke(self, ctx: click.Context):
        try:
            with inputs_of_one_run():  # what this command reads, no output of it may overwrite
                return super().invoke(ctx)
        except KafkaError as exc:
            click.secho(f"Error: {exc}", err=True, fg="red")
            ctx.exit(int(exc.exit_code))
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except BrokenPipeError:  # e.g. `kafka analyze ... | head`
            sys.stderr.close()
            ctx.exit(int(ExitCode.OK))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="kafka")
def main() -> None:
    """kafka: find and remove red tape in OCMW procedures.

    Reads case files (YAML) that map one client's path through a procedure,
    finds repeated questions, retold stories, needless trips and waits, and
    writes HTML reports with proposals for the OCMW itself (local) and for
    the Flemish or federal government (supralocal).

    \b
    Start here:
      kafka new leefloon-sara --procedure leefloon   # a starter case file: leefloon-sara.yaml
      kafka validate leefloon-sara.yaml cases/       # check case files
      kafka analyze leefloon-sara.yaml               # findings in the terminal
    """


main.commands = _Commands(COMMANDS)


def entry() -> None:
    """The ``kafka`` program (console script and ``python -m kafka``): :data:`main` in a process
    tuned for kafka's work (kafka.runtime); tests and library users call :data:`main` as it is."""
    from kafka.runtime import tune_gc

    tune_gc()
    main()
