"""The aggregate's memory between runs: ``manifest.json`` in the output folder.

It lists, per case file, the cache key of the run that rendered its report
and the case's summary, so that the next run re-renders only what changed.

A case is unchanged when its cache key is: the SHA-256 of the file's bytes,
of kafka's own version, code and templates (:func:`code_fingerprint`) and of
the run options (:meth:`kafka.run.RunOptions.fingerprint`: language,
--select, --ignore, --set, --to-be and the contents of a --templates folder),
and when the files its ``evidence:`` section names (the event log and its
mapping, issue 17) still have the SHA-256 recorded for them.

The manifest also records the **site**: the key of everything the pages and
exports were made from (:func:`site_key`: every case's key in file order,
the skipped files and their messages, the agenda's thresholds, the status
register, the run's date, the CSV dialect) and the stamp of every file the
site wrote. A run whose key is the recorded one, and whose site files still
have their stamps, writes nothing at all: not the pages, not the exports,
not a row in history.sqlite (nothing happened that the follow-up could show).

The manifest can never vouch for a file it did not write. Each entry also
records what the report it wrote looked like: its SHA-256 and its stamp
(device, inode, size, modification time). A run that is killed after moving
new reports into place but before writing the manifest leaves reports whose
stamp and hash differ from what the old manifest recorded, so they are
rendered again instead of being reused under the wrong language or options.
A stamp that differs with the same hash (a copied site folder) is fine.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from kafka import __version__

if TYPE_CHECKING:
    from kafka.aggregate.collect import CaseSummary
    from kafka.run import RunOptions

MANIFEST_NAME = "manifest.json"
# 2: entries record the report's hash and stamp; 3: the evidence files' hashes, the site, and the
# finding rows and forms of every case kept apart after the summaries ("rows")
MANIFEST_FORMAT = 3
_REPORT_PATH = re.compile(r"^cases/[a-z0-9_-]+\.html$")
_PACKAGE_DIR = Path(__file__).resolve().parent.parent


@cache
def code_fingerprint() -> str:
    """A hash of kafka's version, code, texts and templates: when any changes, every report is re-rendered."""
    from kafka.render import templates_dir

    digest = hashlib.sha256(__version__.encode())
    roots = [_PACKAGE_DIR, templates_dir()]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".yaml", ".html", ".css") and path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(raw: bytes, options: "RunOptions | str", fingerprint: str) -> str:
    """``options``: the run's options, or their fingerprint worked out once for a run (with
    --templates it hashes a folder: not once per case)."""
    digest = hashlib.sha256()
    options_key = options if isinstance(options, str) else options.fingerprint()
    for part in (fingerprint.encode(), options_key.encode(), raw):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def evidence_digests(paths: list[str], memo: dict[str, str] | None = None) -> list[list[str]]:
    """[[path, SHA-256]] of each evidence file a case names ("" when it cannot be read). ``memo``
    (path -> digest) saves hashing a log that several cases share twice in one run."""
    found = []
    for path in paths:
        if memo is not None and path in memo:
            digest = memo[path]
        else:
            digest = _file_digest(Path(path)) or ""
            if memo is not None:
                memo[path] = digest
        found.append([path, digest])
    return found


def site_key(parts: list) -> str:
    """The SHA-256 of what the site's pages and exports are made from (JSON-able ``parts``)."""
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
                          .encode("utf-8", "backslashreplace")).hexdigest()


def report_digest(content: str | bytes) -> str:
    """The SHA-256 of a report as written (UTF-8)."""
    return hashlib.sha256(content.encode("utf-8") if isinstance(content, str) else content).hexdigest()


def report_stamp(path: Path) -> list[int]:
    """What a report file looks like without reading it: device, inode, size, modification time.
    Empty when there is no such file."""
    try:
        info = os.stat(path)
    except OSError:
        return []
    return [info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns]


def _file_digest(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


@dataclass
class Manifest:
    """What the previous run wrote: per case file (absolute path), its cache key and summary."""

    entries: dict[str, "CaseSummary"] = field(default_factory=dict)
    # What the site was made from and what it wrote: {"key": site_key, "files": {name: stamp}}
    site: dict = field(default_factory=dict)

    # The finding rows and forms of every case (nine tenths of the file) are parsed only when
    # the site is written (:meth:`rows`): a run with nothing changed never needs them.
    _text: str = field(default="", repr=False, compare=False)
    _rows_at: int = field(default=-1, repr=False, compare=False)

    @classmethod
    def read(cls, folder: Path) -> "Manifest":
        """The manifest in ``folder``; an empty one when it is absent, unreadable or not ours.

        The cases' summaries come without their finding rows and forms; :meth:`rows` has them.
        """
        from kafka.aggregate.collect import CaseSummary

        try:
            text = (folder / MANIFEST_NAME).read_text(encoding="utf-8")
            # {"format":3,"generator":..,"site":{..},"cases":{..},"rows":{..}}: the head holds no
            # '"cases":' of its own (a quote inside a JSON string is always escaped).
            start = text.index('"cases":')
            head = json.loads(text[:start].rstrip().removesuffix(",") + "}")
            if not isinstance(head, dict) or head.get("format") != MANIFEST_FORMAT:
                return cls()
            cases, end = json.JSONDecoder().raw_decode(text, start + len('"cases":'))
            if not text.startswith(',"rows":', end):
                return cls()
            entries = {str(path): CaseSummary.from_dict({**summary, "findings": [], "forms": []})
                       for path, summary in cases.items()}
            site = head.get("site") or {}
            if not (isinstance(site, dict) and isinstance(site.get("key"), str) and isinstance(site.get("files"), dict)):
                site = {}
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return cls()
        # A report path from the file is only trusted when it has the shape kafka writes,
        # and an entry only when it says what that report looked like.
        return cls({path: s for path, s in entries.items()
                    if _REPORT_PATH.match(s.report) and s.report_sha256 and len(s.report_stamp) == 4}, site,
                   text, end + len(',"rows":'))

    def rows(self) -> dict[str, tuple[dict, str]]:
        """Per case file (absolute path): ({"findings": [...], "forms": [...]}, that part's JSON text
        as the file has it). ValueError when the file has none that can be read (a damaged manifest).

        The text is kept so that the next manifest can be written with it (:meth:`json_pieces`)
        rather than by encoding the same rows again."""
        if self._rows_at < 0:
            raise ValueError("no finding rows in this manifest")
        text, decode = self._text, json.JSONDecoder().raw_decode
        rows: dict[str, tuple[dict, str]] = {}
        try:
            # {"path":{..},"path":{..}}: one entry at a time, to know where each one's text is.
            if text[self._rows_at] != "{":
                raise ValueError
            at = self._rows_at + 1
            while text[at] != "}":
                if rows:
                    if text[at] != ",":
                        raise ValueError
                    at += 1
                path, at = decode(text, at)
                if text[at] != ":":
                    raise ValueError
                value, end = decode(text, at + 1)
                rows[path] = (value, text[at + 1:end])
                at = end
            if text[at + 1:at + 2] != "}":  # the end of the whole manifest
                raise ValueError
        except (ValueError, IndexError):
            raise ValueError("the manifest's finding rows are damaged") from None
        if not all(isinstance(path, str) and isinstance(r, dict) and isinstance(r.get("findings"), list)
                   and isinstance(r.get("forms"), list) for path, (r, _) in rows.items()):
            raise ValueError("the manifest's finding rows are damaged")
        return rows

    def reusable(self, path: str, raw: bytes, options: "RunOptions | str", fingerprint: str,
                 out: Path, memo: dict[str, str] | None = None, *, resolved: str | None = None) -> "CaseSummary | None":
        """The summary of case file ``path`` (read as ``raw``) from the previous run, when its
        report can be kept as it is: the same cache key, the same evidence files (the log and
        mapping its ``evidence:`` names, by content), and the report on disk is the one that run
        wrote. None when it must be rendered again."""
        entry = self.entries.get(resolved or str(Path(path).resolve()))
        if entry is None or entry.cache_key != cache_key(raw, options, fingerprint):
            return None
        recorded = entry.evidence
        if not isinstance(recorded, list) or not all(isinstance(e, list) and len(e) == 2 for e in recorded):
            return None
        if evidence_digests([str(e[0]) for e in recorded], memo) != recorded:
            return None  # the event log (or its mapping) changed: the report shows what it measures
        report = out / entry.report
        stamp = report_stamp(report)
        if not stamp:
            return None
        if stamp != entry.report_stamp:
            # Another file (an interrupted run put it there), or the same one copied: look inside.
            if _file_digest(report) != entry.report_sha256:
                return None
        return replace(entry, path=path, report_stamp=stamp)

    def json_pieces(self, size: int = 1 << 20) -> Iterator[bytes]:
        """The manifest as UTF-8 JSON, in pieces of about ``size`` characters (it is tens of MB for thousands of cases).

        A file name that is not UTF-8 reaches Python as text with lone surrogates
        (``caf\\udce9.yaml`` for the byte 0xE9); those are written as JSON's own
        escape (``\\udce9``), which reads back to the same name. Only they can
        fail to encode, and only inside a JSON string, where the escape is valid.
        """
        # Each case is encoded on its own by json's C encoder (iterencode of the whole payload
        # would run the pure-Python one: seconds for a thousand cases); the same text results.
        # vars(), not asdict(): asdict deep-copies every finding row.
        dumps = _dumps
        head = {"format": MANIFEST_FORMAT, "generator": f"kafka {__version__}", "site": self.site}
        buffer = [dumps(head)[:-1], ',"cases":{']
        length = 0
        for part in ("cases", "rows"):
            if part == "rows":
                buffer.append('},"rows":{')
            for n, (path, summary) in enumerate(self.entries.items()):
                fields_ = vars(summary)
                if part == "cases":
                    value = dumps({k: v for k, v in fields_.items() if k not in _ROWS and k not in _NOT_KEPT})
                else:
                    # An unchanged case's rows as the previous manifest had them (Manifest.rows): the
                    # same text the encoder would make of them, without making it again.
                    value = summary.rows_json or rows_json(summary)
                piece = f'{"," if n else ""}{dumps(path)}:{value}'
                buffer.append(piece)
                length += len(piece)
                if length >= size:
                    yield "".join(buffer).encode("utf-8", "backslashreplace")
                    buffer, length = [], 0
        buffer.append("}}")
        yield "".join(buffer).encode("utf-8", "backslashreplace")


def rows_json(summary: "CaseSummary") -> str:
    """The JSON text of a case's finding rows and forms, as the manifest keeps them (the worker that
    made them encodes them too, in parallel: the main process then only joins the texts)."""
    return _dumps({k: getattr(summary, k) for k in _ROWS})


def forms_key(forms: list[dict]) -> str:
    """The SHA-256 of a case's forms (kafka.aggregate.forms_page.form_summaries) as JSON."""
    return hashlib.sha256(_dumps(forms).encode("utf-8", "backslashreplace")).hexdigest()


_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_ROWS = ("findings", "forms")  # the big parts of a case summary, kept apart at the end of the file
_NOT_KEPT = ("pieces", "rows_json")  # the case's rows of the exports: in their own file (kafka.aggregate.pieces)
