"""``kafka schema``: the JSON Schema of case files, for editors."""

from __future__ import annotations

import click

from kafka.cli.files import emit, output_option
from kafka.schema import schema_json


@click.command()
@output_option("Write the schema to FILE instead of printing it.")
def schema(output: str | None) -> None:
    """Print the JSON Schema of case files, for editors.

    With the schema, an editor such as VS Code (with the YAML extension)
    completes keys, explains them on hover and underlines typos while you
    type. It checks structure only; run 'kafka validate' for references and
    flow. See docs/editor-setup.md.

    \b
    Example:
      kafka schema -o kafka-case.schema.json
      # then, as the first line of a case file next to it:
      # yaml-language-server: $schema=kafka-case.schema.json
    """
    emit(schema_json(), output)
