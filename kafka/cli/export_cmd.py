"""``kafka export``: a case as BPMN, its process map as DOT/SVG/PNG, or its analysis as JSON."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kafka.cli.common import InputPath, load_cases, run_options
from kafka.errors import ExitCode, OutputError, RenderError
from kafka.export.bpmn_process import LaneBy
from kafka.export.formats import DEFAULT_DPI, ExportFormat, ExportOptions, export as export_content
from kafka.output import case_file_stem, ensure_dir, inside, write_atomic
from kafka.render import drawing
from kafka.run import run_case

_FORMAT_NAMES = ", ".join(f.value for f in ExportFormat)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=InputPath())
@click.option("--format", "fmt", type=click.Choice([f.value for f in ExportFormat]),
              help="What to write; by default taken from the output file's extension. "
                   "bpmn: BPMN 2.0 for bpmn.io or Camunda Modeler; json: the full analysis "
                   "(docs/json-schema.md); dot, svg, png: the process map alone.")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="The file to write, or a folder (one file per case, named after the case id). "
                   "Without it, one case is written to standard output.")
@click.option("--lanes", type=click.Choice([lane.value for lane in LaneBy]), default=LaneBy.ORGANISATION.value,
              show_default=True, help="BPMN: one lane per organisation or per actor.")
@click.option("--dpi", type=click.IntRange(24, 600), default=DEFAULT_DPI, show_default=True,
              help="PNG: resolution (dots per inch).")
@run_options
def export(paths, fmt, output, lanes, dpi, options):
    """Export case files for other tools: BPMN, the process map (DOT, SVG, PNG), or JSON.

    PATHS are case files or folders of them. Invalid files are reported and
    skipped (exit code 1). Findings and waiting days go into the BPMN
    documentation, in the language of --lang.

    \b
    Example:
      kafka export cases/leefloon-lindenberg.yaml --format bpmn -o lindenberg.bpmn
      kafka export cases/leefloon-lindenberg.yaml -o lindenberg.json
      kafka export cases/leefloon-lindenberg.yaml -o lindenberg.png --dpi 200
      kafka export cases/ --format bpmn --lanes actor -o bpmn/
    """
    good, bad = load_cases(paths)  # first: "no case files" says more than a missing format
    fmt = _resolve_format(fmt, output)
    export_options = ExportOptions(lane_by=LaneBy(lanes), dpi=dpi)
    contents, undrawn = [], 0
    for loaded in good:
        try:
            with drawing(loaded.path):
                content = export_content(run_case(loaded, options, simulate=False).analysis, fmt, export_options)
        except RenderError as exc:  # this case only: the others are still exported
            click.secho(f"{exc}; it is skipped", fg="red", err=True)
            undrawn += 1
            continue
        contents.append((loaded.case.id, content))

    several = len(paths) > 1 or any(Path(p).is_dir() for p in paths)
    if output is None:
        _to_stdout(contents, fmt)
    elif several or output.is_dir() or str(output).endswith(("/", "\\")):
        if output.exists() and not output.is_dir():
            raise click.UsageError(f"several case files: -o must be a folder, and {output} is a file")
        if not output.exists() and ExportFormat.from_suffix(output.suffix) is not None:
            raise click.UsageError(f"several case files: give an output folder with -o ({output} looks like a file)")
        _to_folder(contents, fmt, output)
    elif contents:
        if not output.parent.is_dir():
            raise OutputError(f"cannot write {output}: the folder {output.parent} does not exist")
        write_atomic(output, contents[0][1])
        click.echo(f"Wrote {output}", err=True)
    if bad:
        click.secho(f"{len(bad)} of {len(bad) + len(good)} case files were invalid and skipped", fg="red", err=True)
    raise SystemExit(int(ExitCode.INVALID_INPUT if bad or undrawn else ExitCode.OK))


def _resolve_format(fmt: str | None, output: Path | None) -> ExportFormat:
    if fmt:
        return ExportFormat(fmt)
    guessed = ExportFormat.from_suffix(output.suffix) if output is not None else None
    if guessed is None:
        raise click.UsageError(f"give --format ({_FORMAT_NAMES}) or an output file with one of those extensions")
    return guessed


def _to_stdout(contents: list[tuple[str, str | bytes]], fmt: ExportFormat) -> None:
    if len(contents) > 1:
        raise click.UsageError("several cases: give an output folder with -o")
    if not contents:
        return
    content = contents[0][1]
    if isinstance(content, bytes):
        if sys.stdout.isatty():
            raise click.UsageError(f"{fmt.value.upper()} is binary: give an output file with -o")
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
    else:
        click.echo(content, nl=False)


def _to_folder(contents: list[tuple[str, str | bytes]], fmt: ExportFormat, folder: Path) -> None:
    folder = ensure_dir(folder)
    for case_id, content in contents:  # case ids are unique among them (load_cases)
        target = write_atomic(inside(folder, case_file_stem(case_id) + fmt.suffix), content)
        click.echo(f"Wrote {target}", err=True)
