"""The exception base and the process exit codes.

Library code raises :class:`KafkaError` subclasses; only the CLI turns them
into messages and exit codes, so the library stays usable without click.
"""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    INVALID_INPUT = 1  # a case file (or other input) is invalid, or some were skipped
    USAGE = 2  # wrong command-line usage (click's own code for usage errors)
    OUTPUT_ERROR = 3  # the output could not be written (read-only or full disk)


class KafkaError(Exception):
    """Base of every error kafka reports to a user as a plain message."""

    exit_code = ExitCode.INVALID_INPUT


class InputError(KafkaError):
    """Input that cannot be used: an invalid case file, a missing path."""


class UsageProblem(KafkaError):
    """A command-line value that cannot be used (an unknown setting, say)."""

    exit_code = ExitCode.USAGE


class OutputError(KafkaError):
    """An output that cannot be written."""

    exit_code = ExitCode.OUTPUT_ERROR


class RenderError(KafkaError):
    """One case could not be drawn: a renderer (Graphviz, a template) refused it.

    That case is skipped with this message and the run goes on with the others
    (unlike an OutputError, a full or read-only disk, which stops the run)."""
