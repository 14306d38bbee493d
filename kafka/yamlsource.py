"""Read YAML safely into plain Python data, remembering where every value stands.

We compose the YAML node graph with PyYAML's safe machinery (the C parser when
available) and build the Python values ourselves, because that lets us:

- record the line and column of every key and value, so a problem deep in the
  model can name ``file:line:col`` and the key path;
- refuse tags that would build Python objects, with a clear message;
- bound the work: aliases are expanded with a node budget (no "billion laughs"),
  nesting has a depth limit, recursive aliases are refused;
- report duplicate keys, which PyYAML would silently drop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

try:  # the C parser is about ten times faster; the pure-Python one is a fine fallback
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _SafeLoader

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_NODES = 250_000  # values after alias expansion
MAX_DEPTH = 64
MAX_SCALAR_CHARS = 100_000

_YAML_TAG = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {
    _YAML_TAG + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
}

Path = tuple[str | int, ...]


class YamlProblem(Exception):
    """The text cannot be read as plain YAML data."""

    def __init__(self, message: str, line: int = 0, col: int = 0, kind: str = "yaml"):
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col
        self.kind = kind


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
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlProblem(
            f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x}); "
            "save it as UTF-8 in your editor",
            line,
            col,
            "encoding",
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass
class Parsed:
    data: Any
    positions: Positions
    problems: list[YamlProblem]  # problems that did not stop the reading (duplicate keys)


def parse(text: str) -> Parsed:
    """Parse YAML text into plain data and the positions of its values.

    Raises YamlProblem for text that cannot be read at all.
    """
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise YamlProblem("the file contains a NUL character; it is not a text file", line, 1, "encoding")
    try:
        node = yaml.compose(text, Loader=_SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        what = exc.problem or str(exc)
        if exc.context:
            what = f"{exc.context}, {what}"
        raise YamlProblem(f"this is not valid YAML: {what}", line, col, "yaml-syntax") from None
    except yaml.YAMLError as exc:  # e.g. a reader error on control characters
        raise YamlProblem(f"this is not valid YAML: {exc}", 0, 0, "yaml-syntax") from None
    except RecursionError:
        raise YamlProblem(f"the YAML is nested too deeply (more than {MAX_DEPTH} levels)", 0, 0, "too-deep") from None
    if node is None:
        raise YamlProblem("the file is empty; a case file starts with a 'case:' section", 0, 0, "empty")
    builder = _Builder()
    data = builder.build(node, (), 0)
    return Parsed(data, builder.positions, builder.soft_problems)


class _Builder:
    def __init__(self) -> None:
        self.positions = Positions()
        self.nodes = 0
        self._active: set[int] = set()  # nodes on the current path, to catch recursive aliases
        self._scalars = yaml.constructor.SafeConstructor()
        self.soft_problems: list[YamlProblem] = []

    def build(self, node: yaml.Node, path: Path, depth: int) -> Any:
        mark = node.start_mark
        where = (mark.line + 1, mark.column + 1)
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise YamlProblem(
                f"the file expands to more than {MAX_NODES:,} values (anchors and aliases "
                "repeated too often?); case files do not need that many",
                *where,
                "too-large",
            )
        if depth > MAX_DEPTH:
            raise YamlProblem(f"the YAML is nested too deeply (more than {MAX_DEPTH} levels)", *where, "too-deep")
        if node.tag not in _ALLOWED_TAGS:
            raise YamlProblem(
                f"the YAML tag '{node.tag}' is not allowed: a case file holds plain text, numbers, "
                "lists and mappings only",
                *where,
                "yaml-tag",
            )
        if id(node) in self._active:
            raise YamlProblem("an alias refers to itself (recursive anchor)", *where, "yaml-alias")
        self.positions.values.setdefault(path, where)

        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, where)
        self._active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
            return self._mapping(node, path, depth)
        finally:
            self._active.discard(id(node))

    def _scalar(self, node: yaml.ScalarNode, where: tuple[int, int]) -> Any:
        if len(node.value) > MAX_SCALAR_CHARS:
            raise YamlProblem(
                f"a value of {len(node.value):,} characters is longer than the {MAX_SCALAR_CHARS:,} allowed",
                *where,
                "too-large",
            )
        try:
            return self._scalars.construct_object(node)
        except (ValueError, OverflowError, yaml.YAMLError) as exc:
            raise YamlProblem(f"cannot read the value '{node.value[:40]}': {exc}", *where, "bad-value") from None

    def _mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict:
        result: dict = {}
        first_seen: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == _YAML_TAG + "merge":
                raise YamlProblem(
                    "merge keys ('<<') are not supported in case files; write the keys out",
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                    "yaml-tag",
                )
            key = self.build(key_node, path + ("<key>",), depth + 1)
            key_where = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise YamlProblem("a key must be a plain word, not a list or mapping", *key_where, "bad-key")
            if key in first_seen:
                # Not fatal: report it with every other problem and keep the first value.
                self.soft_problems.append(
                    YamlProblem(
                        f"the key '{key}' appears twice in the same mapping (first on line {first_seen[key]})",
                        *key_where,
                        "duplicate-key",
                    )
                )
                continue
            first_seen[key] = key_where[0]
            self.positions.keys[path + (key,)] = key_where
            result[key] = self.build(value_node, path + (key,), depth + 1)
        self.positions.values.pop(path + ("<key>",), None)
        return result
