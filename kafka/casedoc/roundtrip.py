"""Change a case file's YAML and keep everything the user wrote around the change.

ruamel.yaml's round-trip mode keeps comments and key order, but it does not
keep every detail of layout: it drops the spaces that align flow mappings
(``mw:      {name: ...}``) and may re-indent. So a change is made in two steps:

1. ruamel.yaml loads the text, the change is made on its document, and the
   document is dumped (``after``); the unchanged document is dumped too
   (``before``);
2. the lines that differ between ``before`` and ``after`` -- the change
   itself -- are put into the *original* text, whose other lines stay exactly
   as they were (a three-way merge with ruamel's own layout as the base).

The merged text is checked: read by kafka's own (PyYAML-based) reader it must
give the same data as ruamel's ``after``; if it does not, ``after`` is used
as it is (correct data, ruamel's layout).

ruamel.yaml only ever reads text that kafka's hardened reader
(:mod:`kafka.yamlsource`) accepted first: no tags, bounded aliases and
nesting. It runs in round-trip mode, which builds no Python objects from tags.
"""

from __future__ import annotations

import difflib
import io
import re
import threading
from dataclasses import dataclass
from typing import Any, Callable

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import SingleQuotedScalarString
from ruamel.yaml.tokens import CommentToken

from kafka import yamlsource
from kafka.diagnostics import Phrase


class RoundTripError(Exception):
    """The text cannot be changed by the round-trip editor (it is not valid YAML, or has tags).
    ``phrase`` says why in any language (the editor's); ``str()`` is the English text."""

    def __init__(self, phrase: Phrase):
        super().__init__(phrase.text("en"))
        self.phrase = phrase


@dataclass(frozen=True)
class Layout:
    """How the file indents: ``mapping`` for keys, ``sequence``/``offset`` for ``- `` items."""

    mapping: int = 2
    sequence: int = 4
    offset: int = 2


_SEQUENCE_ITEM = re.compile(r"^( *)(\w[^:#\n]*):[ \t]*(?:#.*)?\n(?:[ \t]*(?:#.*)?\n)*( *)- ", re.MULTILINE)


def guess_layout(text: str) -> Layout:
    """The indentation of the file's block lists (``steps:`` then ``  - id:``), from its first one."""
    match = _SEQUENCE_ITEM.search(text)
    if match is None:
        return Layout()
    offset = len(match.group(3)) - len(match.group(1))
    if not 0 <= offset <= 8:
        return Layout()
    return Layout(2, offset + 2, offset)


def _yaml(layout: Layout) -> YAML:
    handler = YAML(typ="rt")
    handler.preserve_quotes = True
    handler.width = 4096  # never re-wrap a long line the user wrote on one line
    handler.indent(mapping=layout.mapping, sequence=layout.sequence, offset=layout.offset)
    return handler


def load(text: str) -> tuple[CommentedMap, Layout]:
    """The round-trip document of ``text``: only after kafka's own reader accepted the text."""
    try:
        parsed = yamlsource.parse(yamlsource.normalize(text))
    except yamlsource.YamlProblem as exc:
        raise RoundTripError(exc.phrase) from None
    if parsed.problems or not isinstance(parsed.data, dict):
        raise RoundTripError(Phrase.of("edit.not_a_mapping"))
    layout = guess_layout(text)
    try:
        document = _yaml(layout).load(text)
    except Exception as exc:  # noqa: BLE001 - ruamel's own errors: report, never crash
        raise RoundTripError(Phrase.of("edit.cannot_edit", reason=str(exc))) from None
    if not isinstance(document, CommentedMap):
        raise RoundTripError(Phrase.of("edit.not_a_mapping"))
    return document, layout


def dump(document: Any, layout: Layout) -> str:
    out = io.StringIO()
    _yaml(layout).dump(document, out)
    return out.getvalue()


@dataclass
class _Prepared:
    text: str
    document: CommentedMap
    layout: Layout
    before: str


_prepared: _Prepared | None = None
_prepared_lock = threading.Lock()


def prepare(text: str) -> None:
    """Load ``text`` ahead of its next change (ruamel.yaml is pure Python: a 30-step case takes
    a tenth of a second to load and dump). The live editor calls this after every write, in a
    thread, so the next change only pays for the change itself."""
    global _prepared
    try:
        document, layout = load(text)
    except RoundTripError:
        return
    ready = _Prepared(text, document, layout, dump(document, layout))
    with _prepared_lock:
        _prepared = ready


def _take_prepared(text: str) -> _Prepared | None:
    global _prepared
    with _prepared_lock:
        ready, _prepared = (_prepared, None) if _prepared is not None and _prepared.text == text else (None, _prepared)
    return ready


def change(text: str, edit: Callable[[CommentedMap], None]) -> str:
    """``text`` with ``edit`` applied to its document; everything else as the user wrote it."""
    ready = _take_prepared(text)
    if ready is not None:
        document, layout, before = ready.document, ready.layout, ready.before
    else:
        document, layout = load(text)
        before = dump(document, layout)
    edit(document)
    after = dump(document, layout)
    if after == before:
        return text
    merged = merge(text, before, after)
    if _data(merged) != _data(after):
        return after  # the merge misplaced something: ruamel's layout, but certainly the right data
    return merged


def _data(text: str) -> Any:
    try:
        return pyyaml.load(text, Loader=yamlsource._SafeLoader)  # noqa: S506 - the safe loader (C or Python)
    except pyyaml.YAMLError:
        return None


# --- the three-way merge ---------------------------------------------------------------

@dataclass
class _Chunk:
    """Lines of ruamel's ``before`` (start..end) and the original lines they stand for."""

    start: int
    end: int  # exclusive; start == end for original lines ruamel dropped
    original: list[str]
    touched: bool = False


def merge(original: str, before: str, after: str) -> str:
    """The change from ``before`` to ``after`` made on ``original`` (whose layout ``before`` lost)."""
    a = original.splitlines(keepends=True)
    b = before.splitlines(keepends=True)
    c = after.splitlines(keepends=True)
    chunks: list[_Chunk] = []
    for tag, a1, a2, b1, b2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal" or (tag == "replace" and a2 - a1 == b2 - b1):
            chunks.extend(_Chunk(b1 + k, b1 + k + 1, [a[a1 + k]]) for k in range(b2 - b1))
        else:
            chunks.append(_Chunk(b1, b2, a[a1:a2]))
    owner: list[_Chunk | None] = [None] * len(b)
    for chunk in chunks:
        for i in range(chunk.start, chunk.end):
            owner[i] = chunk
    opcodes = difflib.SequenceMatcher(None, b, c, autojunk=False).get_opcodes()
    for tag, b1, b2, _, _ in opcodes:
        if tag == "equal":
            continue
        for i in range(b1, b2):
            owner[i].touched = True
        for chunk in chunks:  # an insertion inside a chunk of several lines touches it
            if tag == "insert" and chunk.start < b1 < chunk.end:
                chunk.touched = True
    out: list[str] = []
    pending = iter(sorted((ch for ch in chunks if ch.start == ch.end), key=lambda ch: ch.start))
    dropped = next(pending, None)

    def flush(upto: int) -> None:
        nonlocal dropped
        while dropped is not None and dropped.start <= upto:
            out.extend(dropped.original)
            dropped = next(pending, None)

    for tag, b1, b2, c1, c2 in opcodes:
        if tag == "equal":
            for k in range(b2 - b1):
                i = b1 + k
                flush(i)
                chunk = owner[i]
                if chunk.touched:
                    out.append(c[c1 + k])
                elif i == chunk.start:
                    out.extend(chunk.original)
        else:
            flush(b1)
            out.extend(c[c1:c2])
    flush(len(b))
    return "".join(out)


# --- values as kafka's reader reads them ------------------------------------------------

_RESOLVER = pyyaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"


def text_value(value: str) -> Any:
    """A text as a YAML scalar that PyYAML (YAML 1.1) also reads as text: quoted when it
    would otherwise read as something else (``no``, ``on``, ``12:30``, ``1_000``)."""
    if _RESOLVER.resolve(pyyaml.ScalarNode, value, (True, False)) != _STR_TAG:
        return SingleQuotedScalarString(value)
    return value


def flow_list(items: list[Any]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def flow_map(pairs: dict[str, Any]) -> CommentedMap:
    mapping = CommentedMap(pairs)
    mapping.fa.set_flow_style()
    return mapping


def block_map(pairs: dict[str, Any]) -> CommentedMap:
    mapping = CommentedMap(pairs)
    mapping.fa.set_block_style()
    return mapping


def is_flow(node: Any) -> bool:
    return isinstance(node, (CommentedMap, CommentedSeq)) and bool(node.fa.flow_style())


# --- comments that follow a value --------------------------------------------------------
#
# ruamel.yaml keeps the comment at the end of a line, and the blank lines and
# comment lines after it, in one token on the *last key* of the mapping (or
# the last item of a block list) before them. When keys or list items are
# added, removed or moved at the end, that trailing part must move along, or
# a blank line or a comment would end up inside a step.

def _holder(node: Any) -> tuple[Any, Any] | None:
    """The (collection, key or index) whose comment slot holds what follows ``node``."""
    while True:
        if isinstance(node, CommentedMap) and len(node):
            last = list(node.keys())[-1]
            value = node[last]
            if isinstance(value, (CommentedMap, CommentedSeq)) and len(value) and not is_flow(value):
                node = value
                continue
            return node, last
        if isinstance(node, CommentedSeq) and len(node):
            last = len(node) - 1
            value = node[last]
            if isinstance(value, (CommentedMap, CommentedSeq)) and len(value) and not is_flow(value):
                node = value
                continue
            return node, last
        return None


def _slot(collection: Any) -> int:
    return 2 if isinstance(collection, CommentedMap) else 0


def _token(collection: Any, key: Any) -> CommentToken | None:
    entry = collection.ca.items.get(key)
    if not entry:
        return None
    token = entry[_slot(collection)]
    return token if isinstance(token, CommentToken) else None


def _set_token(collection: Any, key: Any, value: str | None, column: int = 0) -> None:
    slot = _slot(collection)
    entry = collection.ca.items.get(key)
    if not value:
        if entry:
            entry[slot] = None
            if not any(entry):
                del collection.ca.items[key]
        return
    if entry is None:
        entry = [None, None, None, None]  # ruamel's comment slots (pre, ?, post, ?)
        collection.ca.items[key] = entry
    old = entry[slot]
    entry[slot] = CommentToken(value, CommentMark(old.column if isinstance(old, CommentToken) else column), None)


def take_trailer(node: Any) -> str:
    """Remove and return the lines that follow ``node`` (blank lines, comment lines), keeping
    the comment at the end of its own last line in place."""
    place = _holder(node)
    if place is None:
        return ""
    token = _token(*place)
    if token is None:
        return ""
    value = token.value
    if value.startswith("#"):
        own, _, rest = value.partition("\n")
        _set_token(*place, own + "\n")
        return rest
    _set_token(*place, None)
    return value[1:] if value.startswith("\n") else value


def put_trailer(node: Any, trailer: str) -> None:
    """Put ``trailer`` (from :func:`take_trailer`) after ``node``, after any comment on its last line."""
    if not trailer:
        return
    place = _holder(node)
    if place is None:
        return
    token = _token(*place)
    if token is not None and token.value.startswith("#"):
        own = token.value.split("\n", 1)[0]
        _set_token(*place, own + "\n" + trailer)
    else:
        _set_token(*place, "\n" + trailer)
