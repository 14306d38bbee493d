"""Start a forms review from what a service already has: a spreadsheet of its form's fields.

``kafka forms import FIELDS.csv|FIELDS.xlsx --form ID`` reads one row per
field and writes a ``forms:`` block (with the ``data:`` items it needs) as
YAML. Columns, found by their header in the first non-empty row (case,
accents and punctuation do not matter; Dutch or English):

=============  ===========================================  ========
column         header                                       required
=============  ===========================================  ========
label          label, veld, vraag, rubriek, omschrijving    yes
item           item, gegeven, data, id, item id             no
attachment     attachment, bijlage, bewijsstuk, document    yes
=============  ===========================================  ========

``item`` holds a data item id (``household``) or free text that helps the
matching; ``attachment`` is yes or no (ja/nee, yes/no, x, 1/0; empty is no).
Labels are matched to known items and to the catalogue by
:mod:`kafka.forms.matching`.

Reading is strict about structure and reports every problem at once with
file, sheet, row and column: a missing column, an unknown sheet, a row
without a label, an empty row between fields, an attachment cell that is
not yes or no. Empty rows after the last field are ignored (spreadsheets
keep them after a deletion).

A spreadsheet is read as untrusted input: an ``.xlsx`` is a zip of XML
files, so its parts are counted and their unpacked size bounded before
anything is parsed (a zip bomb of 87 KB unpacks to gigabytes), the XML is
read by openpyxl through defusedxml (no entities: no external files, no
billion laughs), the rows are read as they are in the sheet (never cut at
the dimension the file records, which may be wrong), and whatever else goes
wrong while reading (broken XML, an impossible cell reference, a missing
part) is one "not a readable .xlsx workbook" error.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import yaml

from kafka.errors import InputError, KafkaError
from kafka.forms.matching import NO_MATCH, KnownItem, Match, Matcher, short_words
from kafka.forms.review import normalise
from kafka.i18n import Translator
from kafka.model import ID_PATTERN, MAX_NAME_CHARS
from kafka.output import note_input, one_line

MAX_ROWS = 2_000  # a form has dozens of fields; more means the wrong file or sheet
MAX_FILE_BYTES = 20_000_000
# An .xlsx is a zip: what it may unpack to. A list of 2,000 fields is well under 1 MB of XML.
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
MAX_ZIP_ENTRIES = 1_000  # a workbook has a dozen parts, a few hundred with many sheets and images
MAX_CELL_CHARS = MAX_NAME_CHARS  # a label becomes a data item's name, which the model bounds
MAX_PROBLEMS_SHOWN = 20
MAX_TITLE_ROWS = 10  # title rows above the header: a form's name, an instruction
SUFFIXES = (".csv", ".xlsx", ".xlsm")

COLUMNS = {
    "label": ("label", "veld", "vraag", "rubriek", "omschrijving", "field", "question", "naam veld", "veldnaam"),
    "item": ("item", "gegeven", "data", "id", "item id", "data item", "gegeven id", "data item id"),
    "attachment": ("attachment", "bijlage", "bewijsstuk", "document", "attachment yes no", "bijlage ja nee"),
}
REQUIRED = ("label", "attachment")

_YES = {"yes", "y", "ja", "j", "x", "true", "waar", "1", "bijlage", "attachment"}
_NO = {"no", "n", "nee", "false", "onwaar", "0", ""}
_ID = re.compile(ID_PATTERN)


# --- reading the spreadsheet ------------------------------------------------------


@dataclass(frozen=True)
class FieldLine:
    """One row of the spreadsheet: a field of the form."""

    row: int  # as the spreadsheet program numbers it (the header is a row too)
    label: str
    item: str  # a data item id, free text, or ""
    attachment: bool


@dataclass(frozen=True)
class Sheet:
    """Where the rows came from, to name it in messages."""

    path: Path
    name: str | None  # the sheet of a workbook; None for CSV

    def where(self, row: int | None = None, column: str | None = None) -> str:
        parts = [str(self.path)]
        if self.name is not None:
            parts.append(f"sheet '{self.name}'")
        if row is not None:
            parts.append(f"row {row}")
        if column is not None:
            parts.append(f"column '{column}'")
        return ", ".join(parts)


def read_fields(path: str | Path, sheet: str | None = None) -> tuple[Sheet, list[FieldLine]]:
    """The field rows of a CSV or XLSX file; raises InputError naming every problem."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(f"{path}: cannot read '{suffix or 'a file without extension'}'; "
                         f"save the spreadsheet as .xlsx or .csv")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    note_input(path)  # no output of this run may be written onto it
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InputError(f"{path}: the file is larger than {MAX_FILE_BYTES:,} bytes; is it the right file?")
    if suffix == ".csv":
        if sheet is not None:
            raise InputError(f"{path}: a CSV file has no sheets; leave out --sheet")
        where = Sheet(path, None)
        rows = _csv_rows(path)
    else:
        where, rows = _xlsx_rows(path, sheet)
    return where, _field_lines(where, rows)


def _csv_rows(path: Path) -> Iterator[list[str]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # Excel on Windows saves CSV this way
    first_line = text.split("\n", 1)[0]
    # Belgian Excel writes ';'-separated CSV; others ','; a tab when copied from a sheet.
    delimiter = max(";,\t", key=first_line.count) if first_line else ","
    # Strictly first: a quote that is never closed would otherwise swallow every line
    # after it into one cell, silently. Other strict complaints (a character right
    # after a closing quote) are read leniently, as spreadsheet programs do.
    done = 0
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        start = 1  # the line the next record starts on
        for row in reader:
            yield row
            done += 1
            start = reader.line_num + 1
        return
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise InputError(f"{path}, line {start}: a quote (\") opens a cell that is never closed, so every line "
                             f"after it would be read as that one cell; close the quote or remove it") from None
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)):
            if number >= done:
                yield row
    except csv.Error as exc:
        raise InputError(f"{path}: not a readable CSV file ({exc})") from None


def hardened_xml() -> bool:
    """Whether openpyxl parses through defusedxml (it does when defusedxml is installed,
    unless the environment switches it off with OPENPYXL_DEFUSEDXML=False)."""
    from openpyxl.xml import functions

    return functions.iterparse.__module__.startswith("defusedxml")


def _unreadable(path: Path, reason: str) -> InputError:
    return InputError(f"{path}: not a readable .xlsx workbook ({reason}); "
                      f"save it again from the spreadsheet program as .xlsx")


def _check_archive(path: Path) -> None:
    """Refuse a zip with too many parts or that unpacks to too much, before parsing any of it.

    The sizes are those the zip declares; zipfile stops reading a part at its declared
    size and then fails on its checksum, so a part that lies about its size cannot
    unpack to more either."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _unreadable(path, f"not a zip file: {exc}") from None
    if len(parts) > MAX_ZIP_ENTRIES:
        raise _unreadable(path, f"it has more than {MAX_ZIP_ENTRIES:,} parts")
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_UNPACKED_BYTES:
        raise _unreadable(path, f"it unpacks to more than {MAX_UNPACKED_BYTES:,} bytes ({unpacked:,}), "
                                f"far more than a list of fields")


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    text = text if len(text) <= 120 else text[:117] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _xlsx_rows(path: Path, sheet: str | None) -> tuple[Sheet, Iterator[list[str]]]:
    import openpyxl

    _check_archive(path)
    if not hardened_xml():
        raise InputError(f"{path}: cannot read .xlsx files safely: the XML parser is not hardened "
                         f"(is OPENPYXL_DEFUSEDXML=False set, or defusedxml missing?); save the sheet as .csv")
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure inside a hostile or broken workbook is the same to the user
        raise _unreadable(path, _reason(exc)) from None
    try:
        names = workbook.sheetnames
        if sheet is not None and sheet not in names:
            listed = ", ".join(f"'{n}'" for n in names)
            raise InputError(f"{path}: no sheet '{sheet}'; the workbook has {listed}")
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        # Read the rows that are there, not the range the file says it has ("A1:C2" over 5 rows
        # would silently drop 3 of them).
        worksheet.reset_dimensions()
    except InputError:
        workbook.close()
        raise
    except Exception as exc:  # noqa: BLE001
        workbook.close()
        raise _unreadable(path, _reason(exc)) from None

    def rows() -> Iterator[list[str]]:
        try:
            for values in worksheet.iter_rows(values_only=True):
                yield [_cell_text(v) for v in values]
        except Exception as exc:  # noqa: BLE001 - broken XML, an impossible cell reference, a bad checksum ...
            raise _unreadable(path, _reason(exc)) from None
        finally:
            workbook.close()

    return Sheet(path, worksheet.title), rows()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _field_lines(where: Sheet, rows: Iterable[list[str]]) -> list[FieldLine]:
    lines: list[FieldLine] = []
    problems: list[str] = []
    columns: dict[str, int] | None = None
    header_names: list[str] = []
    pending_blank: list[int] = []  # blank rows seen since the last field: only an error when a field follows
    first_missing: tuple[int, list[str], list[str]] | None = None  # the first row taken for a header, if a title
    for number, cells in enumerate(rows, start=1):
        for index, cell in enumerate(cells):
            if len(cell) > MAX_CELL_CHARS:
                column = header_names[index] if index < len(header_names) else None
                raise InputError(f"{where.where(number, column)}: a cell longer than {MAX_CELL_CHARS:,} characters "
                                 f"({len(cell):,}); is this the right file?")
        cells = [_clean(c) for c in cells]
        if columns is None:
            if not any(cells):
                continue
            header_names = cells
            columns, missing = _columns(cells)
            if missing and _title_row(cells) and number < MAX_TITLE_ROWS:
                columns, first_missing = None, first_missing or (number, cells, missing)
                continue  # a title above the header ("OCMW Voorbeeld - Aanvraag ..."): look further
            if missing and first_missing is not None:
                number, cells, missing = first_missing
            if missing:
                found = ", ".join(f"'{c}'" for c in cells if c) or "none"
                wanted = "; ".join(f"'{m}' (or {', '.join(repr(a) for a in COLUMNS[m][1:4])})" for m in missing)
                raise InputError(f"{where.where(number)}: missing column {wanted}; the header row has {found}")
            continue
        if not any(cells):
            pending_blank.append(number)
            continue
        if number > MAX_ROWS:
            raise InputError(f"{where.where(number)}: more than {MAX_ROWS:,} rows; is this the right sheet?")
        for blank in pending_blank:
            problems.append(f"{where.where(blank)}: empty row between fields; delete it or fill in "
                            f"column '{header_names[columns['label']]}'")
        pending_blank = []
        line, row_problems = _field_line(where, number, cells, columns, header_names)
        problems.extend(row_problems)
        if line is not None:
            lines.append(line)
    if columns is None:
        raise InputError(f"{where.where()}: the sheet is empty; expected a header row with the columns "
                         f"'label' and 'attachment' and one row per field")
    if not lines and not problems:
        raise InputError(f"{where.where()}: no fields below the header row")
    if problems:
        shown = problems[:MAX_PROBLEMS_SHOWN]
        more = len(problems) - len(shown)
        tail = f"\n  ... and {more} more" if more else ""
        raise InputError(f"{len(problems)} problem(s) in {where.where()}:\n  " + "\n  ".join(shown) + tail)
    return lines


def _clean(cell: str) -> str:
    """One line of printable text: control characters (a NUL, a line separator) would break the YAML."""
    return " ".join("".join(c if c.isprintable() else " " for c in cell).split())


def _title_row(cells: list[str]) -> bool:
    """A title above the header: one filled cell, and no column header in it."""
    filled = [c for c in cells if c]
    return len(filled) == 1 and not any(normalise(filled[0]) in aliases for aliases in COLUMNS.values())


def _columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Which cell of the header holds which column; and the required ones that are missing.

    When two cells could be one column, the earlier alias wins: with both a "Rubriek" (a
    section of the form) and a "Veld" column, the labels are in "Veld"."""
    found: dict[str, tuple[int, int]] = {}  # column -> (alias rank, cell index)
    for index, cell in enumerate(header):
        name = normalise(cell)
        for column, aliases in COLUMNS.items():
            if name in aliases:
                rank = aliases.index(name)
                if column not in found or rank < found[column][0]:
                    found[column] = (rank, index)
    taken = {column: index for column, (_, index) in found.items()}
    return taken, [c for c in REQUIRED if c not in taken]


def _field_line(
    where: Sheet, number: int, cells: list[str], columns: dict[str, int], header: list[str]
) -> tuple[FieldLine | None, list[str]]:
    def cell(column: str) -> str:
        index = columns.get(column)
        return cells[index] if index is not None and index < len(cells) else ""

    problems = []
    label, item, answer = cell("label"), cell("item"), cell("attachment")
    if not label:
        problems.append(f"{where.where(number, header[columns['label']])}: empty label; every field needs one")
    attachment = normalise(answer) in _YES
    if normalise(answer) not in _YES | _NO:
        problems.append(f"{where.where(number, header[columns['attachment']])}: '{answer}' is not yes or no "
                        f"(ja/nee, yes/no, x or empty)")
    if problems:
        return None, problems
    return FieldLine(number, label, item, attachment), []


# --- matching and the forms: block ------------------------------------------------------


@dataclass(frozen=True)
class ImportedField:
    line: FieldLine
    item_id: str
    name: str
    source: str | None
    match: Match

    @property
    def recognised(self) -> bool:
        """Matched, and sure enough: not a guess for the user to confirm."""
        return self.match.sure

    @property
    def to_confirm(self) -> bool:
        """Matched, but only a guess (below CONFIRM_BELOW)."""
        return self.match.found and not self.match.sure


@dataclass
class ImportedForm:
    form_id: str
    name: str
    owner: str
    pages: int | None
    sheet: Sheet
    fields: list[ImportedField] = field(default_factory=list)

    @property
    def unmatched(self) -> list[ImportedField]:
        """Rows nothing was found for."""
        return [f for f in self.fields if not f.match.found]

    @property
    def to_confirm(self) -> list[ImportedField]:
        """Rows matched by a guess: the user confirms or corrects them."""
        return [f for f in self.fields if f.to_confirm]

    @property
    def recognised(self) -> list[ImportedField]:
        return [f for f in self.fields if f.recognised]

    def items(self, attachment: bool) -> list[str]:
        return list(dict.fromkeys(f.item_id for f in self.fields if f.line.attachment == attachment))

    @property
    def data(self) -> dict[str, ImportedField]:
        """One entry per item, the first row that asks it."""
        out: dict[str, ImportedField] = {}
        for f in self.fields:
            out.setdefault(f.item_id, f)
        return out


def import_form(
    path: str | Path,
    form_id: str,
    *,
    name: str | None = None,
    owner: str = "mw",
    pages: int | None = None,
    sheet: str | None = None,
    known: Iterable[KnownItem] = (),
) -> ImportedForm:
    """Read the spreadsheet and match every field; ``known`` items (from case files) come first."""
    where, lines = read_fields(path, sheet)
    matcher = Matcher(known)
    form = ImportedForm(form_id, _clean(name or "") or _name_from(where.path), owner, pages, where)
    taken: set[str] = set(matcher.by_id)
    for line in lines:
        form.fields.append(_imported(matcher, line, taken))
    return form


def _name_from(path: Path) -> str:
    return _clean(path.stem.replace("_", " ").replace("-", " ")).capitalize() or "Formulier"


def _imported(matcher: Matcher, line: FieldLine, taken: set[str]) -> ImportedField:
    """One row matched: an id in the item column wins over any guess; then the surest of what
    the item column's text and the label say."""
    given = line.item.strip()
    known = matcher.known(given) if given else None
    if known is not None:
        return ImportedField(line, known.id, known.name, known.source, Match("id", known, known.source, given))
    # Free text in the item column says more than the label ("attest gezinssamenstelling").
    match = matcher.match(given) if given else NO_MATCH
    if not match.sure and given and _ID.fullmatch(given):
        # A new id the user chose wins over a guess; the label may still name a source for sure.
        by_label = matcher.match(line.label)
        source = by_label.source if by_label.sure else None
        taken.add(given)
        return ImportedField(line, given, line.label, source, Match("id", None, source, given))
    if not match.sure:
        by_label = matcher.match(line.label)
        if by_label.confidence > match.confidence:
            match = by_label
    if match.item is not None:
        return ImportedField(line, match.item.id, match.item.name, match.item.source, match)
    item_id = _new_id(line.label, taken)
    return ImportedField(line, item_id, line.label, match.source, match)


MAX_NEW_ID_WORDS = 3
MAX_NEW_ID_LENGTH = 28


def _new_id(label: str, taken: set[str]) -> str:
    """A short id made from the label: its first few words that say what it is, joined by '_'
    ("Schoolfactuur of kostenraming van de school" -> schoolfactuur_kostenraming), unique."""
    base = ""
    for word in short_words(label)[:MAX_NEW_ID_WORDS]:  # "hobby's" -> hobbys, not hobby_s
        if base and len(base) + len(word) + 1 > MAX_NEW_ID_LENGTH:
            break
        base = f"{base}_{word}" if base else word[:MAX_NEW_ID_LENGTH]
    base = base or "veld"
    if not base[0].isalpha():  # "1" or "1_000" would read back as a number in YAML
        base = f"veld_{base}"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    taken.add(candidate)
    return candidate


def to_yaml(form: ImportedForm, lang: str = "nl") -> str:
    """The ``data:`` and ``forms:`` blocks, with a comment per row on how it was matched."""
    t = Translator(lang)
    out = [
        f"# {_comment(t('forms.import.header', form=form.form_id, file=form.sheet.where()))}",
        f"# {_comment(t('forms.import.check'))}",
        "data:",
        f"  # {_comment(t('forms.import.data_comment'))}",
    ]
    for item_id, f in form.data.items():
        entry = {"name": f.name, **({"source": f.source} if f.source else {})}
        out.append(f"  {item_id}: {_flow(entry)}")
    out += [
        "",
        "forms:",
        f"  {form.form_id}:",
        f"    {_flow_line('name', form.name)}",
        f"    owner: {form.owner}  # {_comment(t('forms.import.owner_note'))}",
    ]
    for key, attachment in (("fields", False), ("attachments", True)):
        items = form.items(attachment)
        if not items:
            out.append(f"    {key}: []")
            continue
        out.append(f"    {key}:")
        for item_id in items:
            rows = [f for f in form.fields if f.item_id == item_id and f.line.attachment == attachment]
            out.append(f"      - {item_id}  # " + _comment("; ".join(_row_comment(t, f) for f in rows)))
    if form.pages is not None:
        out.append(f"    pages: {form.pages}")
    if form.to_confirm:
        out += ["", f"# {t('forms.import.confirm', n=len(form.to_confirm))}"]
        out += [f"#   {t('forms.import.confirm_row', row=f.line.row, label=_comment_text(f.line.label), item=f.item_id, why=_why(t, f))}"
                for f in form.to_confirm]
    if form.unmatched:
        out += ["", f"# {_comment(t('forms.import.unmatched', n=len(form.unmatched)))}"]
        out += [f"#   {_comment(t('forms.import.unmatched_row', row=f.line.row, label=_comment_text(f.line.label), item=f.item_id))}"
                for f in form.unmatched]
    text = "\n".join(out) + "\n"
    try:
        yaml.safe_load(text)  # what we print must read back; a bug here must not reach a case file
    except yaml.YAMLError as exc:
        raise KafkaError(f"internal error: the YAML for {form.sheet.where()} does not read back ({exc}); "
                         f"please report this with the spreadsheet") from None
    return text


def _row_comment(t: Translator, f: ImportedField) -> str:
    """Which row, how it was matched and how sure: "rij 8: 'Netto maandinkomen' (bevat 'netto maandinkomen', 90%)"."""
    m = f.match
    how = t(f"forms.import.how.{m.how}", phrase=_comment_text(m.phrase or ""), source=m.source or "")
    sure = "" if m.how == "none" else t("forms.import.sure", percent=round(m.confidence * 100))
    check = t("forms.import.check_row") if f.to_confirm else ""
    label = t("forms.import.matched", row=f.line.row, label=_comment_text(f.line.label))
    return f"{label} ({how}{sure}){check}"


def _why(t: Translator, f: ImportedField) -> str:
    """Why a match is only a guess, and what else it could be."""
    m = f.match
    return t(f"forms.import.why.{m.why or 'fuzzy'}", phrase=_comment_text(m.phrase or ""), source=m.source or "",
             others=", ".join(m.alternatives))


def _comment_text(text: str) -> str:
    """Text safe inside a YAML comment: one line, not too long."""
    text = _comment(text)
    return text if len(text) <= 80 else text[:77] + "..."


def _comment(text: str) -> str:
    """Text that stays inside the YAML comment it is put in (a file or sheet name with a
    line break would otherwise end the comment and add a 'forms:' entry to the block)."""
    return one_line(text)


def _flow(mapping: dict) -> str:
    return yaml.safe_dump(mapping, default_flow_style=True, allow_unicode=True, sort_keys=False, width=10_000).strip()


def _flow_line(key: str, value: str) -> str:
    """``key: value`` with the value quoted as YAML needs it."""
    return yaml.safe_dump({key: value}, allow_unicode=True, width=10_000).strip()
