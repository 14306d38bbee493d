"""``kafka forms``: review a service's forms field by field, or import a form from a spreadsheet.

``kafka forms PATH... -o DIR`` is short for ``kafka forms review PATH... -o
DIR``: the group runs ``review`` when its first argument is not the name of
a subcommand. (A case folder that happens to be called ``import`` needs the
long form: ``kafka forms review import/ -o DIR``.)
"""

from __future__ import annotations

import re

import click

from kafka.cli.common import InputPath, csv_dialect_option, lang_option, load_cases, run_options
from kafka.cli.files import emit, output_option
from kafka.errors import ExitCode, InputError
from kafka.forms import build_review, write_review
from kafka.forms.importer import import_form, to_yaml
from kafka.forms.matching import case_items
from kafka.loader import load_case
from kafka.model import ID_PATTERN
from kafka.run import run_case


class _ReviewByDefault(click.Group):
    """A group whose first argument, when it is not a subcommand, starts ``review``."""

    default_command = "review"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


@click.group(cls=_ReviewByDefault)
def forms() -> None:
    """Review forms field by field: what to keep, prefill, reuse or drop.

    \b
    kafka forms PATH... -o DIR        review the forms of case files (= forms review)
    kafka forms import FIELDS.xlsx    turn a list of a form's fields into a forms: block

    \b
    Example:
      kafka forms cases/ -o review/
      kafka forms cases/ -o review/ --docx
      kafka forms import examples/forms/aanvraag_steun.xlsx --form aanvraag_steun
    """


@forms.command("review")
@click.argument("paths", nargs=-1, required=True, type=InputPath())
@click.option("-o", "--output", "output_dir", required=True, metavar="DIR",
              type=click.Path(file_okay=False, path_type=str),
              help="Folder to write forms.html and forms.csv into (created when missing).")
@click.option("--docx", is_flag=True,
              help="Also write the proposed form of each form as an editable Word document into DIR "
                   "(in the report's language), linked from forms.html.")
@csv_dialect_option
@run_options(templates=True)
def review(paths, output_dir, docx, csv_dialect, options):
    """Review every form of the case files under PATHS, field by field.

    Writes DIR/forms.html (per form: its fields and attachments, where else
    they are asked, which steps use them, and a verdict: keep, prefill from
    the authentic source, reuse from an earlier step, or drop; the proposed
    form and the minutes it saves) and DIR/forms.csv (one row per field and
    per attachment). With --docx, also DIR/<organisation>-<form>.docx per
    form: the proposed form as a Word document (its parts, every field with
    the rule that requires it, what the service fills in marked as such, and
    an annex with what was dropped and why).

    A form used in several cases is reviewed once when its organisation, id
    and name are the same in each. Verdicts follow the findings of the
    analysis: D03 (unused) -> drop, D02 with local access -> prefill, D01
    asked earlier by the same organisation -> reuse. Invalid case files are
    reported and skipped (exit code 1).

    \b
    Example:
      kafka forms cases/ -o review/
      kafka forms review cases/leefloon-*.yaml -o review/ --lang en
      kafka forms cases/ -o review/ --set document_client_minutes=30
      kafka forms cases/ -o review/ --docx
      kafka forms cases/ -o review/ --csv-dialect plain
    """
    good, bad = load_cases(paths)
    if not good:
        raise InputError("none of the case files is valid; fix them first (kafka validate)")
    analyses = [run_case(loaded, options, simulate=False).analysis for loaded in good]
    result = build_review(analyses, lang=options.lang)
    if not result.forms:
        raise InputError(
            f"none of the {_count(len(analyses), 'valid case file')} has a 'forms:' block, so there is nothing to review; "
            f"'kafka forms import' makes one from a spreadsheet of a form's fields"
        )
    written = write_review(result, output_dir, templates=options.template_dirs, docx=docx, csv_dialect=csv_dialect)
    for form in result.forms:
        b, a = form.before, form.after
        click.echo(f"  {form.name} ({form.organisation}): fields the client fills in {b.fields} -> {a.fields}, "
                   f"attachments {b.attachments} -> {a.attachments}, client minutes {b.minutes:g} -> {a.minutes:g}"
                   + (f", {len(form.required_rows)} required by a rule" if form.required_rows else ""),
                   err=True)
    click.echo(f"Wrote {written.html} and {written.csv} ({_count(len(result.forms), 'form')} "
               f"from {_count(len(analyses), 'case')})", err=True)
    if written.documents:
        click.echo(f"Wrote {_count(len(written.documents), 'Word document')}: "
                   + ", ".join(p.name for p in written.documents), err=True)
    if bad:
        click.secho(f"{len(bad)} of {len(bad) + len(good)} case files were invalid and skipped", fg="red", err=True)
    raise SystemExit(int(ExitCode.INVALID_INPUT if bad else ExitCode.OK))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _check_id(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not re.fullmatch(ID_PATTERN, value):
        raise click.BadParameter(f"'{value}' is not an id: lowercase letters, digits, '_' and '-', "
                                 f"starting with a letter or digit (for example aanvraag_leefloon)")
    return value


@forms.command("import")
@click.argument("spreadsheet", type=InputPath(dir_okay=False))
@click.option("--form", "form_id", required=True, callback=_check_id, metavar="ID",
              help="The form's id in the case file, e.g. aanvraag.")
@click.option("--name", help="The form's name, e.g. 'Aanvraagformulier leefloon' (default: from the file name).")
@click.option("--owner", default="mw", show_default=True, callback=_check_id, metavar="ACTOR",
              help="The actor whose organisation designs the form.")
@click.option("--pages", type=click.IntRange(min=0), help="Number of pages of the form.")
@click.option("--sheet", help="The sheet of an .xlsx workbook to read (default: the first).")
@click.option("--case", "case_paths", multiple=True, type=InputPath(dir_okay=False), metavar="CASE",
              help="A case file whose data items are matched first (their ids and names). Repeatable.")
@output_option("Write the YAML to FILE instead of printing it.")
@lang_option
def import_(spreadsheet, form_id, name, owner, pages, sheet, case_paths, output, lang):
    """Turn a spreadsheet of a form's fields into a forms: block (YAML).

    SPREADSHEET is a .csv or .xlsx file with a header row and one row per
    field: 'label' (or veld, vraag), 'attachment' (or bijlage: yes/no, ja/nee,
    x, empty is no) and optionally 'item' (or gegeven: a data item id, or free
    text to match on). Labels are matched to data items and authentic
    sources (for example "rijksregisternummer" or "attest
    gezinssamenstelling" -> rijksregister) with kafka's synonym list and
    fuzzy matching. Every row says how it was matched and how sure that is;
    guesses (below 80%) are listed "to confirm" and not counted as
    recognised, and what could not be matched is listed at the end. An item
    id in the item column always wins.

    \b
    Example:
      kafka forms import examples/forms/aanvraag_steun.xlsx --form aanvraag_steun --name "Aanvraag steun"
      kafka forms import examples/forms/velden.csv --form aanvraag --case cases/leefloon-lindenberg.yaml -o aanvraag.yaml
      kafka forms import examples/forms/aanvraag_steun.xlsx --sheet "Aanvraag steun" --form aanvraag --pages 4
    """
    known = []
    for path in case_paths:
        loaded = load_case(path)
        if not loaded.ok:
            raise InputError(f"{path}: not a valid case file; check it with 'kafka validate {path}'")
        known += case_items(loaded.case, path)
    imported = import_form(spreadsheet, form_id, name=name, owner=owner, pages=pages, sheet=sheet, known=known)
    emit(to_yaml(imported, lang), output)
    guesses, unmatched = imported.to_confirm, imported.unmatched
    click.echo(f"{len(imported.recognised)} of {len(imported.fields)} fields recognised, {len(guesses)} to confirm, "
               f"{len(unmatched)} not recognised", err=True)
    for f in guesses:
        others = f" (or {', '.join(f.match.alternatives)})" if f.match.alternatives else ""
        click.echo(f"  to confirm: row {f.line.row} '{f.line.label}' -> {f.item_id}?{others} "
                   f"[{f.match.how}, {round(f.match.confidence * 100)}% sure]", err=True)
    for f in unmatched:
        click.echo(f"  not recognised: row {f.line.row} '{f.line.label}' -> {f.item_id}", err=True)
