"""The ``kafka`` command line: a thin layer that wires the library's stages together.

Each command lives in its own module of this package and is listed, in the
order ``kafka --help`` shows them, in :data:`COMMANDS`.
"""

from __future__ import annotations

import sys

import click

from kafka import __version__
from kafka.errors import ExitCode, KafkaError
from kafka.output import inputs_of_one_run


class _Group(click.Group):
    """Turns library errors into one clear line and a named exit code, never a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)  # registry order, not alphabetical

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
      kafka new leefloon-sara --procedure leefloon   # a starter case file
      kafka validate cases/                          # check case files
      kafka analyze cases/leefloon-sara.yaml         # findings in the terminal
    """


def _register() -> None:
    from kafka.cli import (
        aggregate_cmd,
        analyze_cmd,
        anonymise_cmd,
        export_cmd,
        forms_cmd,
        log_cmd,
        new_cmd,
        report_cmd,
        schema_cmd,
        serve_cmd,
        settings_cmd,
        simulate_cmd,
        sources_cmd,
        validate_cmd,
    )

    # In the order `kafka --help` lists them: the workshop's path first.
    commands = [
        new_cmd.new,
        validate_cmd.validate,
        analyze_cmd.analyze,
        report_cmd.report,
        forms_cmd.forms,
        simulate_cmd.simulate_cmd,
        export_cmd.export,
        serve_cmd.serve,
        aggregate_cmd.aggregate,
        anonymise_cmd.anonymise,
        log_cmd.log,
        schema_cmd.schema,
        sources_cmd.sources,
        settings_cmd.settings,
    ]
    for command in commands:
        main.add_command(command)


_register()
