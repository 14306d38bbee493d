"""The proposed form as an editable Word document (``kafka forms ... --docx``).

One ``.docx`` per reviewed form, for the person who redesigns the paper or
web form: the parts of the new form in the order a client meets them (what
the service already filled in, marked as such with its source; what the
client fills in; the proof the client adds; what the service adds itself),
every field with the rule that requires it, and an annex with what was
dropped and why. Written with python-docx from its own blank document: no
template, nothing fetched from anywhere. Texts come from the ``forms``
catalogue, in Dutch by default.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from kafka.forms.review import FieldRow, FormReview, FormsReview, Verdict
from kafka.i18n import Translator
from kafka.output import ensure_dir, inside, write_atomic

SUFFIX = ".docx"
PREFILLED_SHADE = "E8EEF7"  # the answer box the service filled in: light blue-grey
HEADER_SHADE = "D9DEE7"
MUTED = RGBColor(0x55, 0x5E, 0x6B)
_LANGUAGE = {"nl": "nl-BE", "en": "en-GB"}
# Characters XML 1.0 cannot hold (a NUL, most control characters): never in a case file, but never in the XML either.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def document_name(form: FormReview) -> str:
    """The file name of a form's document: its anchor, which is already a safe, unique name."""
    return f"{form.anchor}{SUFFIX}"


def write_documents(review: FormsReview, folder: str | Path) -> list[Path]:
    """One document per form of ``review`` in ``folder``; the paths written."""
    folder = ensure_dir(folder)
    return [
        write_atomic(inside(folder, document_name(form)), form_document(form, review))
        for form in review.forms
    ]


def form_document(form: FormReview, review: FormsReview) -> bytes:
    """The proposed form as the bytes of a .docx file."""
    t = Translator(review.lang)
    doc = Document()
    _set_up(doc, t, form, review.lang)
    doc.add_heading(_text(form.name), level=0)
    _muted(doc.add_paragraph(), t("forms.document.subtitle", organisation=form.organisation))
    _note(doc, t, form)

    parts = [
        ("prefilled", form.filled_in, _prefilled_table),
        ("fill_in", form.to_fill_in, _fill_in_table),
        ("attach", form.to_attach, _attach_list),
        ("service_attaches", form.attached_by_service, _prefilled_table),
    ]
    number = 0
    for key, rows, render in parts:
        if not rows:
            continue
        number += 1
        doc.add_heading(t("forms.document.part", n=number, title=t(f"forms.document.{key}.title")), level=1)
        _muted(doc.add_paragraph(), t(f"forms.document.{key}.intro"))
        render(doc, t, rows)
    if number == 0:
        doc.add_paragraph(t("forms.document.empty"))
    _annex(doc, t, form, review)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# --- the parts of the form ------------------------------------------------------------------


def _prefilled_table(doc, t: Translator, rows: list[FieldRow]) -> None:
    table = _table(doc, [t("forms.document.col_item"), t("forms.document.col_prefilled"), t("forms.document.col_basis")],
                   (6.0, 6.5, 4.5))
    for row in rows:
        cells = table.add_row().cells
        _cell(cells[0], row.name, bold=True)
        where = (t("forms.document.from_source", source=row.source_name)
                 if row.verdict is Verdict.PREFILL and row.source_name else t("forms.document.from_file"))
        _cell(cells[1], where, italic=True, color=MUTED)
        _shade(cells[1], PREFILLED_SHADE)
        _cell(cells[2], _basis(t, row), size=9)
    _widths(table, (6.0, 6.5, 4.5))


def _fill_in_table(doc, t: Translator, rows: list[FieldRow]) -> None:
    table = _table(doc, [t("forms.document.col_item"), t("forms.document.col_answer"), t("forms.document.col_basis")],
                   (6.0, 6.5, 4.5))
    for row in rows:
        cells = table.add_row().cells
        _cell(cells[0], row.name, bold=True)
        _cell(cells[1], "")  # the empty box the client writes in
        cells[1].paragraphs[0].paragraph_format.space_after = Pt(18)
        _cell(cells[2], _basis(t, row), size=9)
    _widths(table, (6.0, 6.5, 4.5))


def _attach_list(doc, t: Translator, rows: list[FieldRow]) -> None:
    table = _table(doc, ["", t("forms.document.col_attachment"), t("forms.document.col_basis")], (1.0, 11.5, 4.5))
    for row in rows:
        cells = table.add_row().cells
        _cell(cells[0], "\u2610")  # a box to tick
        _cell(cells[1], row.name, bold=True)
        _cell(cells[2], _basis(t, row), size=9)
    _widths(table, (1.0, 11.5, 4.5))


def _basis(t: Translator, row: FieldRow) -> str:
    """The rules that require a row, short: their legal reference (or name) and level; the annex has them in full."""
    if not row.basis:
        return t("forms.document.no_basis")
    return " · ".join(t("forms.document.basis", rule=r.ref or r.name, level=t(f"common.rule_level.{r.level}"))
                      for r in row.basis)


# --- the note and the annex ---------------------------------------------------------------------


def _note(doc, t: Translator, form: FormReview) -> None:
    """A box for the person who makes the form: what this is, and how to read the marks."""
    table = doc.add_table(rows=1, cols=1)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    cell = table.rows[0].cells[0]
    _shade(cell, "F4F1E8")
    _cell(cell, t("forms.document.note_title"), bold=True)
    cases = ", ".join(u.case_id for u in form.uses)
    for key in ("note_what", "note_prefilled", "note_basis", "note_annex"):
        paragraph = cell.add_paragraph()
        _run(paragraph, t(f"forms.document.{key}", cases=cases), size=9)
    rule = form.rule or t("forms.document.no_rule")
    if form.rule_ref:
        rule = f"{rule} ({form.rule_ref})"
    paragraph = cell.add_paragraph()
    _run(paragraph, t("forms.document.owner_rule", owner=form.owner, organisation=form.organisation, rule=rule),
         size=9, italic=True)
    doc.add_paragraph()


def _annex(doc, t: Translator, form: FormReview, review: FormsReview) -> None:
    doc.add_page_break()
    doc.add_heading(t("forms.document.annex_title"), level=1)
    _muted(doc.add_paragraph(), t("forms.document.annex_intro"))
    removed = form.removed
    if removed:
        table = _table(doc, [t("forms.document.col_item"), t("forms.document.col_kind"),
                             t("forms.document.col_verdict"), t("forms.document.col_why")], (4.5, 2.0, 2.6, 7.9))
        for row in removed:
            cells = table.add_row().cells
            _cell(cells[0], row.name, bold=True)
            _cell(cells[1], t("forms.html.kind_attachment") if row.attachment else t("forms.html.kind_field"), size=9)
            _cell(cells[2], t(f"forms.verdict.{row.verdict.value}"), size=9)
            codes = f" ({', '.join(row.codes)})" if row.codes else ""
            _cell(cells[3], row.reason + codes, size=9)
        _widths(table, (4.5, 2.0, 2.6, 7.9))
    else:
        doc.add_paragraph(t("forms.document.nothing_removed"))
    _rules(doc, t, form)

    doc.add_heading(t("forms.document.figures_title"), level=2)
    b, a = form.before, form.after
    minutes = lambda value: t.number(value, 0 if float(value).is_integer() else 1)  # noqa: E731
    unknown = t("forms.html.fig_unknown")
    figures = [
        (t("forms.html.fig_fields"), b.fields, a.fields),
        (t("forms.html.fig_attachments"), b.attachments, a.attachments),
        (t("forms.html.fig_pages"), unknown if b.pages is None else b.pages, unknown if a.pages is None else a.pages),
        (t("forms.html.fig_minutes"), minutes(b.minutes), minutes(a.minutes)),
    ]
    table = _table(doc, ["", t("forms.document.now"), t("forms.document.proposed")], (9.0, 4.0, 4.0))
    for label, before, after in figures:
        cells = table.add_row().cells
        _cell(cells[0], label)
        _cell(cells[1], str(before))
        _cell(cells[2], str(after))
    _widths(table, (9.0, 4.0, 4.0))
    _muted(doc.add_paragraph(), t("forms.html.assumptions", question=minutes(review.question_minutes),
                                  document=minutes(review.document_minutes)))


def _rules(doc, t: Translator, form: FormReview) -> None:
    """The rules the fields rest on, in full, with the fields each requires."""
    rules = list(dict.fromkeys(r for row in form.rows for r in row.basis))
    if not rules:
        return
    doc.add_heading(t("forms.document.rules_title"), level=2)
    table = _table(doc, [t("forms.document.col_rule"), t("forms.document.col_ref"), t("forms.document.col_fields")],
                   (6.0, 4.5, 6.5))
    for rule in rules:
        cells = table.add_row().cells
        _cell(cells[0], f"{rule.name} ({t(f'common.rule_level.{rule.level}')})", bold=True, size=9)
        _cell(cells[1], rule.ref or t("forms.document.no_basis"), size=9)
        names = dict.fromkeys(row.name for row in form.rows if rule in row.basis)
        _cell(cells[2], ", ".join(names), size=9)
    _widths(table, (6.0, 4.5, 6.5))
    if any(r.local for r in rules):
        _muted(doc.add_paragraph(), t("forms.document.local_rules"))


# --- python-docx helpers ------------------------------------------------------------------------


def _set_up(doc, t: Translator, form: FormReview, lang: str) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)  # A4, whatever the default template says
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.0))
    section.top_margin = section.bottom_margin = Cm(2.0)
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    _language(normal, _LANGUAGE.get(lang, lang))
    footer = section.footer.paragraphs[0]
    _run(footer, t("forms.document.footer", form=_text(form.name), organisation=_text(form.organisation)),
         size=8, color=MUTED)
    core = doc.core_properties
    core.title = _text(form.name)
    core.subject = t("forms.document.subject")
    core.author = "kafka forms"
    core.language = _LANGUAGE.get(lang, lang)
    core.comments = t("forms.document.subtitle", organisation=_text(form.organisation))


def _language(style, tag: str) -> None:
    """Spelling and hyphenation in the form's language (Word reads w:lang of the style)."""
    rpr = style.element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), tag)


def _table(doc, headers: list[str], widths_cm: tuple[float, ...]):
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for cell, header, width in zip(table.rows[0].cells, headers, widths_cm):
        _cell(cell, header, bold=True, size=9)
        _shade(cell, HEADER_SHADE)
    _row_flag(table.rows[0], "w:tblHeader")  # a table that runs over a page repeats its header row
    _widths(table, widths_cm)
    return table


def _widths(table, widths_cm: tuple[float, ...]) -> None:
    """Column widths on every cell (Word reads the cells, LibreOffice the grid), and rows that
    never break over two pages: call once the rows are in."""
    for column, width in zip(table.columns, widths_cm):
        column.width = Cm(width)
    for index, row in enumerate(table.rows):
        if index:
            _row_flag(row, "w:cantSplit")
        for cell, width in zip(row.cells, widths_cm):
            cell.width = Cm(width)


def _row_flag(row, tag: str) -> None:
    """A row property python-docx has no API for: w:tblHeader, w:cantSplit."""
    trpr = row._tr.get_or_add_trPr()  # noqa: SLF001
    flag = OxmlElement(tag)
    flag.set(qn("w:val"), "true")
    trpr.append(flag)


def _cell(cell, text: str, *, bold: bool = False, italic: bool = False, size: float | None = None,
          color: RGBColor | None = None) -> None:
    _run(cell.paragraphs[0], text, bold=bold, italic=italic, size=size, color=color)


def _run(paragraph, text: str, *, bold: bool = False, italic: bool = False, size: float | None = None,
         color: RGBColor | None = None):
    run = paragraph.add_run(_text(text))
    run.bold = bold or None
    run.italic = italic or None
    if size is not None:
        run.font.size = Pt(size)
    if color is not None:
        run.font.color.rgb = color
    return run


def _muted(paragraph, text: str) -> None:
    paragraph.paragraph_format.space_before = Pt(4)  # not glued to a table above it
    _run(paragraph, text, size=9.5, color=MUTED)


def _shade(cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()  # noqa: SLF001
    shade = OxmlElement("w:shd")
    shade.set(qn("w:val"), "clear")
    shade.set(qn("w:color"), "auto")
    shade.set(qn("w:fill"), fill)
    tcpr.append(shade)


def _text(text: str) -> str:
    return _NOT_XML.sub(" ", str(text))


__all__ = ["SUFFIX", "document_name", "form_document", "write_documents"]
