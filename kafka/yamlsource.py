"""Read YAML safely into plain Python data, remembering where every value stands.

We take PyYAML's event stream (the C parser when available) and build the
Python values ourselves, without PyYAML's composer, because that lets us:

- record the line and column of every key and value, so a problem deep in the
  model can name ``file:line:col`` and the key path;
- refuse tags that would build Python objects, with a clear message;
- bound the work: nesting has a depth limit checked *while* reading (the C
  composer recurses on the C stack and crashes the process on a file of
  100,000 opening brackets), aliases count against a value budget and a text
  budget by the size of what they repeat (a "billion laughs" file is refused
  after reading it once, in milliseconds; so is a long text aliased
  thousands of times), and recursive aliases are refused;
- report duplicate keys, which PyYAML would silently drop.

An alias gives the same Python object as its anchor, as PyYAML does; the
positions under it are those of the alias itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

import yaml

from kafka import cachedir
from kafka.diagnostics import Phrase, format_path

try:  # the C parser is about ten times faster; the pure-Python one is a fine fallback
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _SafeLoader

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_NODES = 250_000  # values after alias expansion
# Characters of text (keys and values) after alias expansion: twice what the largest
# file may hold. An alias repeats a whole text, so without it a 100 KB file could
# stand for gigabytes of text (and a report of that size).
MAX_TEXT_CHARS = 2 * MAX_FILE_BYTES
MAX_DEPTH = 64
MAX_SCALAR_CHARS = 100_000
# Numbers: Python's own limit on the decimal digits of an integer (4,300) holds for
# every way YAML writes one. A hex, binary or base-60 (1:30) integer is read without
# that limit but would crash the first time it is printed, so its size is bounded too.
MAX_NUMBER_CHARS = 4_300
MAX_INTEGER_BITS = 14_000  # about 4,200 decimal digits

_YAML_TAG = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP, _MERGE = (_YAML_TAG + t for t in ("str", "seq", "map", "merge"))
_SCALAR_TAGS = {_YAML_TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp")}
_INT, _FLOAT, _TIMESTAMP = (_YAML_TAG + t for t in ("int", "float", "timestamp"))
# What a value with an explicit tag must look like, for the message when it does not.
_TAG_HINTS = {  # validation.reason.* in the catalogues
    _YAML_TAG + "bool": "bool",
    _INT: "int",
    _FLOAT: "float",
    _TIMESTAMP: "timestamp",
}
_NON_SPECIFIC = (None, "!")
# The characters YAML refuses (yaml.reader.Reader.NON_PRINTABLE), found up front
# so the message can name the line.
_BAD_CHARACTER = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

Path = tuple[str | int, ...]

_ScalarEvent, _MappingStartEvent, _SequenceStartEvent = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
_MappingEndEvent, _SequenceEndEvent = yaml.MappingEndEvent, yaml.SequenceEndEvent


class YamlProblem(Exception):
    """The text cannot be read as plain YAML data."""

    def __init__(self, phrase: Phrase, line: int = 0, col: int = 0, kind: str = "yaml", path: str = ""):
        self.message = phrase.text("en")  # the command line's language; phrase.text(lang) for another
        super().__init__(self.message)
        self.phrase = phrase
        self.line = line
        self.col = col
        self.kind = kind
        self.path = path  # the key path, when the problem is about one value


@dataclass
class Positions:
    """1-based (line, col) of every value and every mapping key, by key path."""

    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def of(self, path: Path, prefer_key: bool = False) -> tuple[int, int]:
        """The position of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while True:
            if prefer_key and path in self.keys:
                return self.keys[path]
            if path in self.values:
                return self.values[path]
            if path in self.keys:
                return self.keys[path]
            if not path:
                return (1, 1)
            path = path[:-1]


def decode(raw: bytes) -> str:
    """UTF-8 text without a BOM and with Unix line ends, or a YamlProblem."""
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):  # before UTF-16: the same first two bytes
        raise YamlProblem(Phrase.of("encoding.utf32"), 1, 1, "encoding")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise YamlProblem(Phrase.of("encoding.utf16"), 1, 1, "encoding")
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlProblem(
            Phrase.of("encoding.not_utf8", byte=f"0x{raw[exc.start]:02x}"),
            line,
            col,
            "encoding",
        ) from None
    return normalize(text)


def normalize(text: str) -> str:
    """Text without a BOM and with Unix line ends (files from Windows editors)."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


@dataclass
class Parsed:
    data: Any
    positions: Positions
    problems: list[YamlProblem]  # problems that did not stop the reading (duplicate keys)


def load_data(text: str) -> Any:
    """kafka's own data files (catalogues, texts), trusted and plain: read with PyYAML's C
    loader when there is one (ten times faster: they were a fifth of a first report),
    the same safe loader otherwise, and kept parsed between runs (:mod:`kafka.cachedir`:
    PyYAML's constructor was still a seventh of a first report). Case files go through
    :func:`parse`, and are never kept."""
    return cachedir.parsed(text, _load_plain, f"yaml {yaml.__version__} {_SafeLoader.__name__}")


def _load_plain(text: str) -> Any:
    return yaml.load(text, Loader=_SafeLoader)  # noqa: S506 - a safe loader (C or Python)


def parse(text: str) -> Parsed:
    """Parse YAML text into plain data and the positions of its values.

    Raises YamlProblem for text that cannot be read at all.
    """
    _check_characters(text)
    shielded, restore = _shield_breaks(text)
    builder = _Builder(restore)
    loader = _SafeLoader(shielded)
    try:
        builder.run(loader.get_event)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_problem(exc, text) from None
    except yaml.YAMLError as exc:  # pragma: no cover - _check_characters catches reader errors first
        raise YamlProblem(Phrase.of("syntax", what=str(exc), hint=""), 0, 0, "yaml-syntax") from None
    finally:
        loader.dispose()
    if builder.root is None:
        raise YamlProblem(Phrase.of("empty_file"), 0, 0, "empty")
    return Parsed(builder.root, builder.positions, builder.soft_problems)


# YAML 1.1 (PyYAML) also ends a line at NEL (U+0085), LINE SEPARATOR (U+2028) and
# PARAGRAPH SEPARATOR (U+2029); editors and people do not, and YAML 1.2 does not
# either. Left as they are, one of them (even in a comment) ends the comment or the
# text and shifts every line number after it.
_OTHER_BREAKS = "\x85\u2028\u2029"


def _shield_breaks(text: str) -> tuple[str, dict[int, str] | None]:
    """``text`` with NEL, LS and PS replaced by private-use characters that the text
    does not contain, not even as an escape (so they read as ordinary characters),
    and the table that puts them back in the values; (text, None) when there are none."""
    present = [c for c in _OTHER_BREAKS if c in text]
    if not present:
        return text, None
    lowered = text.lower()
    stand_ins = (chr(code) for code in range(0xF8FF, 0xE000, -1)
                 if chr(code) not in text and f"{code:x}" not in lowered)
    shield = {c: next(stand_ins) for c in present}
    return text.translate(str.maketrans(shield)), {ord(stand_in): c for c, stand_in in shield.items()}


def _check_characters(text: str) -> None:
    match = _BAD_CHARACTER.search(text)
    if not match:
        return
    line = text.count("\n", 0, match.start()) + 1
    col = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
    char = match.group()
    if char == "\x00":
        raise YamlProblem(Phrase.of("encoding.nul"), line, col, "encoding")
    raise YamlProblem(
        Phrase.of("encoding.control", char=f"U+{ord(char):04X}"),
        line,
        col,
        "encoding",
    )


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str) -> YamlProblem:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    what = exc.problem or str(exc)
    if "maximum nesting depth" in what:
        # PyYAML 6.0.4 and later stop deep flow collections in the scanner, before our
        # builder sees the events: the same problem, so the same message.
        return _too_deep(line, col)
    if exc.context:
        what = f"{exc.context}, {what}"
    hint: Phrase | str = ""
    lines = text.split("\n")
    here = lines[line - 1][col - 1 : col] if 0 < line <= len(lines) else ""
    if here == "\t" or "\t" in what:
        hint = Phrase.of("syntax_hint.tabs")
    elif "mapping values are not allowed" in what:
        hint = Phrase.of("syntax_hint.colon")
    # PyYAML's own words (what) stay as they are: they name the YAML detail it stumbled on.
    return YamlProblem(Phrase.of("syntax", what=what, hint=hint), line, col, "yaml-syntax")


def _too_deep(line: int, col: int) -> YamlProblem:
    return YamlProblem(Phrase.of("too_deep", max=MAX_DEPTH), line, col, "too-deep")


_NO_KEY = object()


class _Frame:
    """A mapping or sequence being built (a plain class with slots: one per collection read)."""

    __slots__ = ("value", "path", "anchor", "nodes_before", "chars_before", "key", "drop", "first_line", "flow",
                 "last_number")

    def __init__(self, value: list | dict, path: Path, anchor: str | None, nodes_before: int, chars_before: int,
                 flow: bool = False):
        self.value = value
        self.path = path
        self.anchor = anchor
        self.nodes_before = nodes_before
        self.chars_before = chars_before
        self.key: Any = _NO_KEY  # mapping: the key whose value comes next
        self.drop = False  # mapping: that key is a duplicate; build its value, then drop it
        self.first_line: dict = {}  # mapping: key -> line it was first seen
        self.flow = flow  # written {a: 1, b: 2}
        self.last_number: tuple | None = None  # flow mapping: (key, value, event) of the whole number just read


class _Builder:
    """Builds plain Python data from a stream of YAML events, one event at a time."""

    def __init__(self, restore: dict[int, str] | None = None) -> None:
        self._restore = restore  # see _shield_breaks
        self.positions = Positions()
        self.soft_problems: list[YamlProblem] = []
        self.root: Any = None
        self.nodes = 0
        self.chars = 0  # characters of text, keys and values, aliases expanded
        self._stack: list[_Frame] = []
        # name -> (value, values in it, characters in it); None while being built
        self._anchors: dict[str, tuple[Any, int, int] | None] = {}
        self._documents = 0
        self._resolver = yaml.resolver.Resolver()
        self._constructor = yaml.constructor.SafeConstructor()

    def run(self, next_event: Callable[[], yaml.Event | None]) -> None:
        """Build from ``next_event()`` until it gives None: :meth:`feed` for every event,
        with the common ones done here in one loop (an untagged, unanchored text, or the
        start and end of a list or mapping), since this is most of the time kafka takes
        to read a case. The outcome is exactly that of feeding each event; anything less
        common (a tag, an anchor, an alias, a duplicate key, a number...) goes to
        :meth:`feed`."""
        stack = self._stack
        values, keys = self.positions.values, self.positions.keys
        resolved, plain_values = _RESOLVED, _PLAIN_VALUES
        plain = self._restore is None
        feed = self.feed
        while (event := next_event()) is not None:
            kind = type(event)
            if kind is _ScalarEvent:
                text = event.value
                if event.tag is not None or event.anchor is not None or not plain or event.style == '"' \
                        or len(text) > MAX_SCALAR_CHARS:
                    feed(event)  # checks and tags: the general way
                    continue
                if (resolved.get((text, event.implicit)) or self._resolve(event)) == _STR:
                    value = text
                else:
                    value = plain_values.get((text, event.implicit), _NO_KEY)
                    if value is _NO_KEY:  # read the general way the first time
                        feed(event)
                        continue
                mark = event.start_mark
                where = (mark.line + 1, mark.column + 1)
                if not stack:
                    feed(event)
                    continue
                top = stack[-1]
                if top.flow:  # {chance: 0,3}: the general way reads a decimal comma as one number
                    feed(event)
                    continue
                container = top.value
                if type(container) is dict:
                    if top.key is _NO_KEY:  # a key
                        if value in top.first_line:
                            feed(event)  # a duplicate key: reported by the general way
                            continue
                        self.nodes += 1  # _count(1, ...), inline: it runs for every value
                        self.chars += len(text)
                        if self.nodes > MAX_NODES or self.chars > MAX_TEXT_CHARS:
                            self._count(0, 0, where)  # raises the problem, as _count would have
                        top.first_line[value] = where[0]
                        top.key = value
                        keys[top.path + (value,)] = where
                        continue
                    path = top.path + (top.key,)
                    self.nodes += 1  # _count(1, ...), inline: it runs for every value
                    self.chars += len(text)
                    if self.nodes > MAX_NODES or self.chars > MAX_TEXT_CHARS:
                        self._count(0, 0, where)  # raises the problem, as _count would have
                    values.setdefault(path, where)
                    if not top.drop:
                        container[top.key] = value
                    top.key, top.drop = _NO_KEY, False
                    continue
                path = top.path + (len(container),)
                self.nodes += 1  # _count(1, ...), inline: it runs for every value
                self.chars += len(text)
                if self.nodes > MAX_NODES or self.chars > MAX_TEXT_CHARS:
                    self._count(0, 0, where)  # raises the problem, as _count would have
                values.setdefault(path, where)
                container.append(value)
            elif kind is _MappingEndEvent or kind is _SequenceEndEvent:
                frame = stack[-1] if stack else None
                if frame is None or frame.anchor is not None or len(stack) < 2:
                    self._end_collection()  # an anchor to remember, or the root: the general way
                    continue
                stack.pop()  # _end_collection and _attach, inline: under another collection, no anchor
                top = stack[-1]
                if type(top.value) is list:
                    top.value.append(frame.value)
                else:
                    if not top.drop:
                        top.value[top.key] = frame.value
                    top.key, top.drop = _NO_KEY, False
            elif (kind is _MappingStartEvent or kind is _SequenceStartEvent) and event.tag is None \
                    and event.anchor is None and stack and len(stack) < MAX_DEPTH:
                top = stack[-1]  # _at_key and _next_path, inline
                if type(top.value) is list:
                    path = top.path + (len(top.value),)
                elif top.key is _NO_KEY:
                    feed(event)  # a list or mapping as a key: the general way
                    continue
                else:
                    path = top.path + (top.key,)
                mark = event.start_mark
                where = (mark.line + 1, mark.column + 1)
                self.nodes += 1  # _count(1, 0, ...), inline
                if self.nodes > MAX_NODES:
                    self._count(0, 0, where)  # raises the problem, as _count would have
                values.setdefault(path, where)
                is_map = kind is _MappingStartEvent
                stack.append(_Frame({} if is_map else [], path, None, self.nodes - 1, self.chars,
                                    flow=bool(is_map and event.flow_style)))
            else:
                feed(event)

    def feed(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.DocumentStartEvent):
            self._documents += 1
            if self._documents > 1:
                raise YamlProblem(
                    Phrase.of("two_documents"),
                    *_where(event),
                    "yaml-syntax",
                )
            return
        if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            self._end_collection()
            return
        if not isinstance(event, yaml.NodeEvent):
            return  # stream start/end, document end
        if self._at_key():
            self._key(event)
        else:
            self._value(event)

    # --- values --------------------------------------------------------------

    def _value(self, event: yaml.NodeEvent) -> None:
        where = _where(event)
        path = self._next_path()
        if isinstance(event, yaml.AliasEvent):
            value, size, chars = self._alias(event)
            self._count(size, chars, where)
            self.positions.values.setdefault(path, where)
            self._attach(value)
            return
        chars = len(event.value) if isinstance(event, yaml.ScalarEvent) else 0
        self._count(1, chars, where)
        self.positions.values.setdefault(path, where)
        if isinstance(event, yaml.ScalarEvent):
            value = self._scalar(event)
            self._remember(event.anchor, value, 1, chars)
            top = self._stack[-1] if self._stack else None
            if top is not None and top.flow and isinstance(top.value, dict):
                whole = isinstance(value, int) and not isinstance(value, bool) and not event.style  # plain: None or ""
                top.last_number = (top.key, value, event) if whole else None
            self._attach(value)
            return
        is_map = isinstance(event, yaml.MappingStartEvent)
        if event.tag not in (*_NON_SPECIFIC, _MAP if is_map else _SEQ):
            raise self._tag_problem(event.tag, where, on_collection=True)
        if len(self._stack) >= MAX_DEPTH:
            raise _too_deep(*where)
        if event.anchor is not None:
            self._anchors[event.anchor] = None  # being built: an alias to it now is recursive
        self._stack.append(_Frame({} if is_map else [], path, event.anchor, self.nodes - 1, self.chars,
                                  flow=bool(is_map and event.flow_style)))

    def _end_collection(self) -> None:
        frame = self._stack.pop()
        self._remember(frame.anchor, frame.value, self.nodes - frame.nodes_before, self.chars - frame.chars_before)
        self._attach(frame.value)

    def _attach(self, value: Any) -> None:
        if not self._stack:
            self.root = value
            return
        top = self._stack[-1]
        if isinstance(top.value, list):
            top.value.append(value)
            return
        if not top.drop:
            top.value[top.key] = value
        top.key, top.drop = _NO_KEY, False

    def _next_path(self) -> Path:
        if not self._stack:
            return ()
        top = self._stack[-1]
        if isinstance(top.value, list):
            return top.path + (len(top.value),)
        return top.path + (top.key,)

    # --- keys ----------------------------------------------------------------

    def _at_key(self) -> bool:
        return bool(self._stack) and isinstance(self._stack[-1].value, dict) and self._stack[-1].key is _NO_KEY

    def _key(self, event: yaml.NodeEvent) -> None:
        where = _where(event)
        top = self._stack[-1]
        if isinstance(event, yaml.AliasEvent):
            key, size, chars = self._alias(event)
            self._count(size, chars, where)
        elif isinstance(event, yaml.ScalarEvent):
            if event.tag in _NON_SPECIFIC and self._resolve(event) == _MERGE:
                raise YamlProblem(Phrase.of("merge_key"), *where, "yaml-tag")
            self._count(1, len(event.value), where)
            key = self._scalar(event)
            self._remember(event.anchor, key, 1, len(event.value))
        else:  # a list or mapping written as a key
            raise YamlProblem(Phrase.of("key_collection"), *where, "bad-key")
        if isinstance(key, (list, dict)):
            raise YamlProblem(Phrase.of("key_collection"), *where, "bad-key")
        if self._decimal_comma(top, event, key):
            return
        if not _plain_key(key):  # e.g. a date
            raise YamlProblem(Phrase.of("key_plain", key=str(key)), *where, "bad-key")
        if key in top.first_line:
            # Not fatal: report it with every other problem and keep the first value.
            self.soft_problems.append(
                YamlProblem(
                    Phrase.of("duplicate_key", key=str(key), first=top.first_line[key]),
                    *where,
                    "duplicate-key",
                )
            )
            top.key, top.drop = key, True
            return
        top.first_line[key] = where[0]
        top.key = key
        self.positions.keys[top.path + (key,)] = where

    def _decimal_comma(self, top: _Frame, event: yaml.NodeEvent, key: Any) -> bool:
        """``{chance: 0,3}``: in a flow mapping the comma ends the value 0 and starts a key 3.
        Every Belgian writes a decimal comma, so read it as the one number meant (0.3), with
        one problem that says to write a point, instead of "unknown key '3'"."""
        last, top.last_number = top.last_number, None
        if (last is None or not isinstance(event, yaml.ScalarEvent) or event.style
                or not _DIGITS.fullmatch(event.value) or event.start_mark.index != last[2].end_mark.index + 1
                or not _WHOLE_NUMBER.fullmatch(last[2].value)):  # not 0x1A, 1:30 or 1_000
            return False
        field_key, whole, value_event = last
        fixed = f"{value_event.value}.{event.value}"
        top.value[field_key] = float(fixed)
        self.soft_problems.append(YamlProblem(Phrase.of("decimal_comma", fixed=fixed), *_where(value_event),
                                              "decimal-comma", format_path(top.path + (field_key,))))
        top.key, top.drop = key, True  # the "key" and its empty value are dropped
        return True

    # --- scalars, aliases, budget --------------------------------------------

    def _resolve(self, event: yaml.ScalarEvent) -> str:
        # The implicit tag depends on the text and how it was written only; case files repeat
        # the same keys and values ("id", "name", "0", "true") thousands of times.
        key = (event.value, event.implicit)
        tag = _RESOLVED.get(key)
        if tag is None:
            tag = self._resolver.resolve(yaml.ScalarNode, event.value, event.implicit)
            if len(_RESOLVED) >= _RESOLVED_LIMIT:
                _RESOLVED.clear()
            if len(event.value) <= 64:
                _RESOLVED[key] = tag
        return tag

    def _scalar(self, event: yaml.ScalarEvent) -> Any:
        where = _where(event)
        if self._restore is not None:
            event.value = event.value.translate(self._restore)
        if len(event.value) > MAX_SCALAR_CHARS:
            raise YamlProblem(
                Phrase.of("value_too_long", n=len(event.value), max=MAX_SCALAR_CHARS),
                *where,
                "too-large",
            )
        bad = _BAD_CHARACTER.search(event.value)
        if bad:
            # Only reachable through an escape in a double-quoted text ("\0", "\e",
            # "\x07"): the raw file was checked already. Such characters would end up
            # in terminals (escape sequences) and in XML outputs (where they are illegal).
            raise YamlProblem(
                Phrase.of("encoding.escape", char=f"U+{ord(bad.group()):04X}"),
                *where,
                "encoding",
            )
        tag = self._resolve(event) if event.tag in _NON_SPECIFIC else event.tag
        if tag == _YAML_TAG + "value":  # a lone '=' is just text in a case file
            tag = _STR
        if tag not in _SCALAR_TAGS:
            raise self._tag_problem(tag, where)
        if tag == _STR:
            return event.value
        as_what = Phrase.of("as_tag", tag=_short_tag(tag)) if event.tag not in _NON_SPECIFIC else ""
        if tag in (_INT, _FLOAT) and len(event.value) > MAX_NUMBER_CHARS:
            raise self._bad_value(event, as_what, Phrase.of("reason.too_long"), where)
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            value = self._constructor.yaml_constructors[tag](self._constructor, node)
        except Exception as exc:  # noqa: BLE001 - PyYAML's constructors raise KeyError, AttributeError... on odd values
            if tag == _TIMESTAMP and event.tag in _NON_SPECIFIC:
                # An impossible date (2026-02-30) stays text: the model then reports
                # it where a date belongs, together with every other problem.
                return event.value
            if "digits" in str(exc):
                reason = Phrase.of("reason.too_long")
            elif tag in _TAG_HINTS and event.tag not in _NON_SPECIFIC:
                reason = Phrase.of(f"reason.{_TAG_HINTS[tag]}")
            else:  # PyYAML's own words
                reason = Phrase.of("reason.other", text=str(exc) or type(exc).__name__)
            raise self._bad_value(event, as_what, reason, where) from None
        if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INTEGER_BITS:
            raise self._bad_value(event, as_what, Phrase.of("reason.too_long"), where)
        if event.tag is None and tag in _PLAIN_TAGS and len(event.value) <= 64 and self._restore is None:
            if len(_PLAIN_VALUES) >= _RESOLVED_LIMIT:
                _PLAIN_VALUES.clear()
            _PLAIN_VALUES[(event.value, event.implicit)] = value  # for run(): the same text, the same value
        return value

    @staticmethod
    def _bad_value(event: yaml.ScalarEvent, as_what: Phrase | str, reason: Phrase, where: tuple[int, int]) -> YamlProblem:
        shown = " ".join(event.value[:40].split())
        return YamlProblem(Phrase.of("bad_value", value=shown, tag=as_what, reason=reason), *where, "bad-value")

    def _alias(self, event: yaml.AliasEvent) -> tuple[Any, int, int]:
        where = _where(event)
        if event.anchor not in self._anchors:
            raise YamlProblem(Phrase.of("alias_unknown", anchor=event.anchor), *where, "yaml-alias")
        entry = self._anchors[event.anchor]
        if entry is None:
            raise YamlProblem(Phrase.of("alias_recursive"), *where, "yaml-alias")
        return entry

    def _remember(self, anchor: str | None, value: Any, size: int, chars: int) -> None:
        if anchor is not None:
            self._anchors[anchor] = (value, size, chars)

    def _count(self, size: int, chars: int, where: tuple[int, int]) -> None:
        self.nodes += size
        self.chars += chars
        if self.nodes > MAX_NODES:
            raise YamlProblem(
                Phrase.of("too_many_values", max=MAX_NODES),
                *where,
                "too-large",
            )
        if self.chars > MAX_TEXT_CHARS:
            raise YamlProblem(
                Phrase.of("too_much_text", max=MAX_TEXT_CHARS),
                *where,
                "too-large",
            )

    @staticmethod
    def _tag_problem(tag: str | None, where: tuple[int, int], on_collection: bool = False) -> YamlProblem:
        shown = _short_tag(tag)
        if on_collection and tag in _SCALAR_TAGS:
            phrase = Phrase.of("tag_on_collection", tag=shown)
        else:
            phrase = Phrase.of("tag_not_allowed", tag=shown)
        return YamlProblem(phrase, *where, "yaml-tag")


_RESOLVED: dict[tuple[str, tuple[bool, bool]], str] = {}
# A decimal comma in a flow mapping: a whole number written in plain digits, then digits.
_WHOLE_NUMBER = re.compile(r"[-+]?[0-9]+")
_DIGITS = re.compile(r"[0-9]+")
_RESOLVED_LIMIT = 20_000
# The values of untagged whole numbers, true/false and nulls read before (immutable, so they can
# be shared), by text and how it was written: "0", "15", "true" come back thousands of times.
_PLAIN_VALUES: dict[tuple[str, tuple[bool, bool]], Any] = {}
_PLAIN_TAGS = {_YAML_TAG + name for name in ("int", "bool", "null")}  # not floats: two NaN keys must stay two objects


def _short_tag(tag: str | None) -> str:
    """'tag:yaml.org,2002:python/name' -> '!!python/name', as the user wrote it."""
    tag = str(tag)
    return "!!" + tag.removeprefix(_YAML_TAG) if tag.startswith(_YAML_TAG) else tag


def _plain_key(key: Any) -> bool:
    return key is None or isinstance(key, (str, int, float, bool))


def _where(event: yaml.Event) -> tuple[int, int]:
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1)
