"""Personal data in case files: found before a file is shared, replaced on request.

A case file tells the story of a real client of a social service: that is
personal data, often of a sensitive kind (social assistance, health, debts).
Kafka-brigades write first names and ages ("Sara (34)") on purpose; what
must not travel with a file that is shared is what identifies the client
directly. :func:`scan_text` looks in every text value *and every comment*
for:

* ``national_number``: a Belgian national register number (rijksregister-
  nummer, INSZ) whose mod-97 check digits are right, for births before and
  from 2000 (the check of the latter is computed with a leading 2);
  ``85.07.30-033.28``, ``850730 033 28`` or ``85073003328``;
* ``iban``: a bank account number (IBAN) with a valid ISO 13616 checksum;
* ``email``: an e-mail address (except reserved example domains such as
  ``example.org`` and ``*.invalid``);
* ``phone``: a Belgian phone number: ``0470 12 34 56``, ``+32 470 12 34 56``,
  ``0032 9 123 45 67``, ``09/123.45.67``;
* ``birth_date``: a date next to a word for birth (``geboren op 3 maart
  1989``, ``°12/05/1990``, ``geboortedatum: 1989-03-03``, ``born``);
* ``client_name``: the client's full name: the client actor's name with a
  surname (two or more capitalised words, or a title and a surname such as
  "mevrouw Peeters"), and every place that name, or the first name followed
  by a capitalised word, is written;
* ``person_name``: a title with a surname (``mevrouw Peeters``, ``dhr.
  Claes``) anywhere, and a pair of capitalised words that recurs in the
  texts while no organisation, actor, rule, form, data item or source of the
  case is called so ("Jan Janssens" written twice in the story).

Each finding has its file, line, column and key path. What it does not find
is written in docs/privacy.md (a first name alone, an address, a diagnosis,
a name that appears once...).

:func:`anonymise_text` replaces what the scan finds, consistently (the same
value always gets the same stand-in, so the story still reads), in the
file's own text: comments, layout and every other character stay as they
were. The result is parsed again and checked to hold exactly the original
data with only those replacements; if not, nothing is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from kafka import yamlsource
from kafka.diagnostics import Phrase, Problem, Severity, format_path

# What each kind looks like is said in the reader's language: validation.personal.* in the catalogues.
KINDS = ("national_number", "iban", "email", "phone", "birth_date", "client_name", "person_name")


@dataclass(frozen=True)
class Hit:
    """One piece of what looks like personal data, and where it is."""

    kind: str  # one of KINDS
    text: str  # as it reads in the value (a folded line joined by a space)
    line: int  # 1-based, in the file
    col: int
    path: str  # the key path ("case.story", "steps[3].name"); "(comment)" for a comment
    start: int  # the span in the file's text (0-based character offsets) ...
    end: int  # ... that anonymise replaces

    def problem(self, file: str) -> Problem:
        shown = self.text if len(self.text) <= 60 else self.text[:57] + "..."
        return Problem.said(file, self.line, self.col, self.path,
                            Phrase.of("personal_data", what=Phrase.of(f"personal.{self.kind}"), text=shown),
                            f"personal-data-{self.kind.replace('_', '-')}", Severity.WARNING)


# --- the detectors, on one text -----------------------------------------------------------

_NATIONAL_NUMBER = re.compile(r"(?<![\d.\-/])(\d{2})[. ]?(\d{2})[. ]?(\d{2})[-. ]?(\d{3})[. ]?(\d{2})(?![\d\-/])")
_IBAN_START = re.compile(r"\b[A-Z]{2}\d{2}(?=[ ]?[A-Z0-9])")
_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}\b")
_RESERVED_DOMAINS = re.compile(r"(^|\.)(example\.(com|net|org)|[a-z0-9-]+\.(example|invalid|test|localhost))$", re.I)
_PHONE = re.compile(r"(?<![\w+/.])(\+32|0032|0)(?:[ ./-]?\(0\))?[ ./-]?\d(?:[ ./-]?\d){6,9}(?![\w/])")
_MONTHS = ("januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
           "january|february|march|may|june|july|august|october")
_DATE = (r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:19|20)\d{2}|(?:19|20)\d{2}-\d{2}-\d{2}|"
         rf"\d{{1,2}}(?:e|ste|de)?\s+(?:{_MONTHS})\s+(?:19|20)\d{{2}})")
_BIRTH = re.compile(r"(?:\b(?:geboren|geboortedatum|geb\.|born|date of birth|birth ?date|d\.o\.b\.|dob)|°)"
                    rf"\s*(?:op|on|in|:|=)?\s*(?P<date>{_DATE})", re.I)
_TITLES = r"(?:mevrouw|meneer|mevr\.|mw\.|dhr\.|mr\.?|mrs\.?|ms\.?|madame|monsieur|mme\.?)"
_NAME_WORD = r"[A-ZÀ-Þ][a-zà-ÿ'’]+(?:-[A-ZÀ-Þ][a-zà-ÿ'’]+)?"
_PARTICLE = r"(?:(?:van|de|der|den|ten|ter|le|la|du|von|van der|van den|van de|de la|d')\s+)"
_TITLED = re.compile(rf"\b{_TITLES}\s+(?P<name>{_PARTICLE}?{_NAME_WORD})", re.I)
_PAIR = re.compile(rf"(?<![\w.])(?P<first>{_NAME_WORD})\s+(?P<last>{_PARTICLE}?{_NAME_WORD})\b")
_SENTENCE_END = re.compile(r"(^|[.!?:;]\s*|\n\s*)$")
# Capitalised words that start the names of services, portals and bodies, never a
# person's: "Mijn Burgerprofiel", "Sociaal Huis", "Vlaamse Belastingdienst".
_NOT_A_FIRST_NAME = frozenset({
    "mijn", "uw", "onze", "ons", "het", "de", "een", "dit", "deze", "die", "dat", "sociaal", "sociale",
    "vlaams", "vlaamse", "federaal", "federale", "belgisch", "belgische", "lokaal", "lokale", "centraal", "centrale",
})


def _national_number_ok(digits: str) -> bool:
    base, check = int(digits[:9]), int(digits[9:])
    return 97 - base % 97 == check or 97 - int("2" + digits[:9]) % 97 == check


def _iban_ok(compact: str) -> bool:
    if not (15 <= len(compact) <= 34) or not compact[:2].isalpha() or not compact[2:4].isdigit():
        return False
    if compact.startswith("BE") and len(compact) != 16:
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1


def _phone_ok(text: str) -> bool:
    digits = re.sub(r"\D", "", text)
    if text.startswith("+32") or text.startswith("0032"):
        rest = digits[2:] if text.startswith("+") else digits[4:]
        rest = rest[1:] if rest.startswith("0") else rest  # +32 (0)9 ...
        national = "0" + rest
    else:
        national = digits
    if len(set(national[1:])) <= 1:
        return False
    if national.startswith("04"):
        return len(national) == 10
    return len(national) == 9 and national[1] != "0"


def find_in_text(text: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) of every national number, IBAN, e-mail, phone number and date of birth in ``text``."""
    found: list[tuple[str, int, int]] = []
    for m in _NATIONAL_NUMBER.finditer(text):
        if _national_number_ok("".join(m.groups())):
            found.append(("national_number", m.start(), m.end()))
    for m in _IBAN_START.finditer(text):
        compact, ends = "", []
        i = m.start()
        while i < len(text) and len(compact) < 34:
            ch = text[i]
            if ch.isascii() and ch.isalnum() and (ch.isdigit() or ch.isupper()):
                compact += ch
                ends.append(i + 1)
            elif ch != " " or (i + 1 < len(text) and text[i + 1] == " "):
                break
            i += 1
        for length in range(len(compact), 14, -1):
            if _iban_ok(compact[:length]) and (ends[length - 1] == len(text) or not text[ends[length - 1]].isalnum()):
                found.append(("iban", m.start(), ends[length - 1]))
                break
    for m in _EMAIL.finditer(text):
        if not _RESERVED_DOMAINS.search(m.group().rsplit("@", 1)[1]):
            found.append(("email", m.start(), m.end()))
    for m in _PHONE.finditer(text):
        if _phone_ok(m.group()):
            found.append(("phone", m.start(), m.end()))
    for m in _BIRTH.finditer(text):
        found.append(("birth_date", m.start("date"), m.end("date")))
    return _without_overlaps(found)


def _without_overlaps(found: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """The earliest, then the longest, of overlapping finds (a national number is not also a phone number)."""
    kept: list[tuple[str, int, int]] = []
    for kind, start, end in sorted(found, key=lambda f: (f[1], -(f[2] - f[1]))):
        if kept and start < kept[-1][2]:
            continue
        kept.append((kind, start, end))
    return kept


# --- the case file: values, comments, names ------------------------------------------------


@dataclass
class _Scalar:
    path: tuple
    value: str  # the value as YAML reads it
    start: int  # its span in the file's text
    end: int
    style: str | None  # None (plain), "'", '"', "|", ">"


def _scalars(text: str) -> list[_Scalar]:
    """Every scalar value of the document (not the keys), with its span in the text."""
    root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    out: list[_Scalar] = []
    stack = [((), root)] if root is not None else []
    seen: set[int] = set()
    while stack:
        path, node = stack.pop()
        if id(node) in seen:
            continue  # an alias: its text is where the anchor is
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            out.append(_Scalar(path, node.value, node.start_mark.index, node.end_mark.index, node.style))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(((*path, i), item) for i, item in enumerate(node.value))
        elif isinstance(node, yaml.MappingNode):
            stack.extend(((*path, k.value if isinstance(k, yaml.ScalarNode) else "?"), v) for k, v in node.value)
    out.sort(key=lambda s: s.start)
    return out


def _comments(text: str, scalars: list[_Scalar]) -> list[tuple[int, int]]:
    """The spans of the comments: a '#' at a line's start or after a space, outside every value."""
    spans, inside = [], [(s.start, s.end) for s in scalars]
    j = 0
    for m in re.finditer(r"(?:^|(?<=[ \t]))#[^\n]*", text, re.M):
        while j < len(inside) and inside[j][1] <= m.start():
            j += 1
        if j < len(inside) and inside[j][0] <= m.start() < inside[j][1]:
            continue
        spans.append((m.start(), m.end()))
    return spans


def _raw_span(text: str, scalar: _Scalar, value_start: int, value_end: int) -> tuple[int, int] | None:
    """Where value[value_start:value_end] is written in the file, or None when it cannot be found as written.

    In a folded or plain multi-line value a line break reads as a space, so
    the words may be separated by a break and indentation in the file.
    """
    piece = scalar.value[value_start:value_end]
    words = piece.split()
    if not words:
        return None
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    # The n-th occurrence in the value is the n-th in the text.
    nth = len(re.findall(pattern, scalar.value[:value_start])) if value_start else 0
    matches = list(pattern.finditer(text, scalar.start, scalar.end))
    if nth < len(matches):
        return matches[nth].start(), matches[nth].end()
    return None


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


@dataclass(frozen=True)
class ClientName:
    """The client as the case names them: the whole name and each person in it."""

    whole: str
    persons: tuple[tuple[str, ...], ...]  # per person, the name words ('Sara', 'Janssens')


_SPLIT_PERSONS = re.compile(r"\s*(?:,|&|/|\ben\b|\band\b)\s*")
_AGE = re.compile(r"\(.*?\)|\d+")


def client_names(data) -> list[ClientName]:
    """The names of the actors of level client (a case has one; a couple is written 'Kevin en Jessica')."""
    names = []
    actors = data.get("actors") if isinstance(data, dict) else None
    for actor in (actors or {}).values():
        if isinstance(actor, dict) and actor.get("level") == "client" and isinstance(actor.get("name"), str):
            whole = actor["name"].strip()
            persons = []
            for part in _SPLIT_PERSONS.split(_AGE.sub(" ", whole)):
                words = tuple(w for w in part.split() if w)
                if words and words[0][:1].isupper():
                    persons.append(words)
            names.append(ClientName(whole, tuple(persons)))
    return names


def _is_full_name(words: tuple[str, ...]) -> bool:
    """'Sara Janssens', 'mevrouw Peeters', 'Ahmed El Amrani': a name and a surname; 'Sara' or 'Cliënt' is not."""
    if len(words) >= 2 and re.fullmatch(_TITLES, words[0], re.I):
        return True
    capitalised = [w for w in words if re.fullmatch(_NAME_WORD, w)]
    return len(capitalised) >= 2


def _structural_names(data) -> str:
    """Everything a case names that is not a person: organisations, actors, rules, forms, data, sources."""
    parts = []
    if isinstance(data, dict):
        info = data.get("case")
        if isinstance(info, dict):
            parts += [str(info.get(k, "")) for k in ("organisation", "municipality", "procedure")]
        for section in ("actors", "rules", "forms", "data", "sources"):
            for item in (data.get(section) or {}).values() if isinstance(data.get(section), dict) else ():
                if isinstance(item, dict) and item.get("level") != "client":
                    parts += [str(item.get(k, "")) for k in ("name", "organisation", "ref")]
    return " \n ".join(parts)


def scan_text(text: str) -> list[Hit]:
    """Every hit in the case-file text ``text`` (empty when it is not readable YAML: the loader says why)."""
    text = yamlsource.normalize(text)
    try:
        parsed = yamlsource.parse(text)  # the house's limits (size, depth, aliases) before anything else
        scalars = _scalars(text)
    except (yamlsource.YamlProblem, yaml.YAMLError):
        return []
    hits: list[Hit] = []

    def add(kind: str, start: int, end: int, path: str, shown: str | None = None) -> None:
        line, col = _line_col(text, start)
        hits.append(Hit(kind, shown if shown is not None else " ".join(text[start:end].split()), line, col, path,
                        start, end))

    def in_value(scalar: _Scalar, kind: str, vstart: int, vend: int) -> None:
        span = _raw_span(text, scalar, vstart, vend)
        start, end = span if span else (scalar.start, scalar.start)
        add(kind, start, end, format_path(scalar.path), scalar.value[vstart:vend])

    texts = [s for s in scalars if s.value]
    for scalar in texts:
        for kind, start, end in find_in_text(scalar.value):
            in_value(scalar, kind, start, end)
    for start, end in _comments(text, scalars):
        for kind, s, e in find_in_text(text[start:end]):
            add(kind, start + s, start + e, "(comment)")

    # Names: the client's, then titled names and recurring pairs.
    clients = client_names(parsed.data)
    structural = _structural_names(parsed.data)
    name_spans: list[tuple[int, int]] = []

    def name_hit(kind: str, scalar_or_comment, vstart: int, vend: int) -> None:
        if isinstance(scalar_or_comment, _Scalar):
            span = _raw_span(text, scalar_or_comment, vstart, vend)
            if span is None or any(a < span[1] and span[0] < b for a, b in name_spans):
                return
            name_spans.append(span)
            add(kind, *span, format_path(scalar_or_comment.path))
        else:
            start, _ = scalar_or_comment
            span = (start + vstart, start + vend)
            if not any(a < span[1] and span[0] < b for a, b in name_spans):
                name_spans.append(span)
                add(kind, *span, "(comment)")

    places = [(s, s.value) for s in texts] + [((a, b), text[a:b]) for a, b in _comments(text, scalars)]
    for client in clients:
        for person in client.persons:
            full = _is_full_name(person)
            patterns = []
            if full:
                patterns.append(r"\s+".join(re.escape(w) for w in person))
            # the first name followed by a capitalised word that is not the start of a new sentence
            patterns.append(rf"{re.escape(person[0])}\s+{_PARTICLE}?{_NAME_WORD}")
            for where, value in places:
                for pattern in patterns:
                    for m in re.finditer(rf"(?<![\w.]){pattern}\b", value):
                        if structural and " ".join(m.group().split()) in structural:
                            continue
                        name_hit("client_name", where, m.start(), m.end())
    for where, value in places:
        for m in _TITLED.finditer(value):
            if m.group("name") not in structural:
                name_hit("person_name", where, m.start(), m.end())
    pairs: dict[str, list[tuple[object, int, int]]] = {}
    for where, value in places:
        for m in _PAIR.finditer(value):
            if _SENTENCE_END.search(value[:m.start()]):
                continue  # a capital at a sentence's start says nothing
            pair = " ".join(m.group().split())
            if pair in structural or m.group("first") in structural or m.group("last") in structural:
                continue
            if m.group("first").lower() in _NOT_A_FIRST_NAME:
                continue
            pairs.setdefault(pair, []).append((where, m.start(), m.end()))
    for pair, places_of_pair in pairs.items():
        if len(places_of_pair) >= 2:
            for where, start, end in places_of_pair:
                name_hit("person_name", where, start, end)
    hits.sort(key=lambda h: (h.start, h.end))
    return hits


def scan_loaded(loaded) -> list[Problem]:
    """The warnings for a case the loader read (kafka.loader.LoadedCase), from the text it kept."""
    return [hit.problem(str(loaded.path)) for hit in scan_text(loaded.text)] if loaded.text else []


def scan_file(path: str | Path) -> list[Problem]:
    """The warnings for one case file (nothing when it cannot be read: the loader reports that)."""
    path = Path(path)
    try:
        if path.stat().st_size > yamlsource.MAX_FILE_BYTES:
            return []
        text = yamlsource.decode(path.read_bytes())
    except (OSError, yamlsource.YamlProblem):
        return []
    return [hit.problem(str(path)) for hit in scan_text(text)]


# --- anonymise ----------------------------------------------------------------------------------


class AnonymiseError(Exception):
    """The file cannot be anonymised safely; nothing was written."""


@dataclass(frozen=True)
class Anonymised:
    text: str
    replaced: dict[str, int]  # kind -> how many places
    hits: list[Hit]


_STAND_INS = {
    "national_number": "XX.XX.XX-XXX.XX",
    "phone": "0XXX XX XX XX",
    "birth_date": "XX-XX-XXXX",
}


def anonymise_text(text: str, lang: str = "nl") -> Anonymised:
    """``text`` with every hit of :func:`scan_text`, and the client's name everywhere, replaced.

    The same value gets the same stand-in everywhere ('Sara Janssens' and
    'Sara' -> 'Cliënt'; a second client in the file 'Cliënt B'). Only the
    replaced characters change. AnonymiseError when the result would not
    hold exactly the original data with those replacements.
    """
    text = yamlsource.normalize(text)
    try:
        parsed = yamlsource.parse(text)
    except yamlsource.YamlProblem as exc:
        raise AnonymiseError(f"line {exc.line}: {exc.message}") from None
    hits = scan_text(text)
    scalars = _scalars(text)
    clients = client_names(parsed.data)
    client_word = "Cliënt" if lang == "nl" else "Client"
    person_word = "Persoon" if lang == "nl" else "Person"
    persons = [p for c in clients for p in c.persons]
    pseudonym: dict[str, str] = {}
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for i, person in enumerate(persons):
        name = client_word if len(persons) == 1 else f"{client_word} {letters[i % 26]}"
        pseudonym[" ".join(person)] = name
        for word in person:
            if re.fullmatch(_NAME_WORD, word) and not re.fullmatch(_TITLES, word, re.I):
                pseudonym.setdefault(word, name)

    edits: dict[tuple[int, int], str] = {}
    counts: dict[str, int] = {}
    numbered: dict[tuple[str, str], str] = {}

    def stand_in(hit: Hit) -> str:
        key = (hit.kind, re.sub(r"\W", "", hit.text).lower())
        if key in numbered:
            return numbered[key]
        n = sum(1 for k in numbered if k[0] == hit.kind) + 1
        if hit.kind == "email":
            value = f"persoon-{n}@voorbeeld.invalid" if lang == "nl" else f"person-{n}@example.invalid"
        elif hit.kind == "iban":
            value = f"{hit.text[:2]}XX XXXX XXXX XXXX"
        elif hit.kind in ("client_name", "person_name"):
            value = _name_stand_in(hit.text, pseudonym) or f"{person_word} {letters[(n - 1) % 26]}"
        else:
            value = _STAND_INS[hit.kind]
        if n > 1 and hit.kind not in ("email", "client_name", "person_name"):
            value = f"{value} ({n})"
        numbered[key] = value
        return value

    for hit in hits:
        if hit.end > hit.start:
            edits[(hit.start, hit.end)] = stand_in(hit)
            counts[hit.kind] = counts.get(hit.kind, 0) + 1
    # The client's name where the scan saw no full name: a first name alone ("Sara (34)").
    taken = sorted(edits)
    for scalar in scalars:
        for word, name in sorted(pseudonym.items(), key=lambda p: -len(p[0])):
            for m in re.finditer(rf"(?<![\w]){re.escape(word)}(?![\w])", scalar.value):
                span = _raw_span(text, scalar, m.start(), m.end())
                if span is None or any(a < span[1] and span[0] < b for a, b in taken):
                    continue
                edits[span] = name
                taken.append(span)
                counts["client_name"] = counts.get("client_name", 0) + 1
    for a, b in _comments(text, scalars):
        for word, name in sorted(pseudonym.items(), key=lambda p: -len(p[0])):
            for m in re.finditer(rf"(?<![\w]){re.escape(word)}(?![\w])", text[a:b]):
                span = (a + m.start(), a + m.end())
                if any(x < span[1] and span[0] < y for x, y in taken):
                    continue
                edits[span] = name
                taken.append(span)
                counts["client_name"] = counts.get("client_name", 0) + 1

    out = text
    for (start, end), value in sorted(edits.items(), reverse=True):
        out = out[:start] + value + out[end:]
    _check_same_data(text, out, edits, scalars)
    return Anonymised(out, counts, hits)


def _name_stand_in(found: str, pseudonym: dict[str, str]) -> str | None:
    """The pseudonym of the client a found name belongs to ('Sara Janssens' -> 'Cliënt'); None for someone else."""
    words = found.split()
    for size in range(len(words), 0, -1):
        for i in range(len(words) - size + 1):
            name = pseudonym.get(" ".join(words[i:i + size]))
            if name:
                return name
    return None


def _check_same_data(before: str, after: str, edits: dict[tuple[int, int], str], scalars: list[_Scalar]) -> None:
    """``after`` must read as ``before`` with, in each value, exactly the edited pieces replaced."""
    try:
        yamlsource.parse(after)
        new = {s.path: s.value for s in _scalars(after)}
    except (yaml.YAMLError, yamlsource.YamlProblem) as exc:
        raise AnonymiseError(f"the replaced text would not be valid YAML ({exc}); nothing was written") from None
    if set(new) != {s.path for s in scalars}:
        raise AnonymiseError("replacing would change the file's structure; nothing was written")
    for scalar in scalars:
        expected, position = scalar.value, 0
        for (start, end), value in sorted(edits.items()):
            if not scalar.start <= start < scalar.end:
                continue
            # The piece as the value reads it: a line break in the file may be a space in the value.
            piece = re.compile(r"\s+".join(re.escape(w) for w in before[start:end].split()))
            m = piece.search(expected, position)
            if m is None:
                raise AnonymiseError(f"{format_path(scalar.path)}: cannot replace inside this value as it is "
                                     "written (an escape sequence?); nothing was written")
            expected = expected[:m.start()] + value + expected[m.end():]
            position = m.start() + len(value)
        if new[scalar.path] != expected:
            raise AnonymiseError(f"{format_path(scalar.path)}: the replaced value would read differently; "
                                 "nothing was written")
