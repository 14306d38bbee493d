"""The aggregate's memory between runs: ``manifest.json`` in the output folder.

It lists, per case file, the cache key of the run that rendered its report
and the case's summary, so that the next run re-renders only what changed.

A case is unchanged when its cache key is: the SHA-256 of the file's bytes,
of kafka's own version, code and templates (:func:`code_fingerprint`) and of
the run options (:meth:`kafka.run.RunOptions.fingerprint`: language,
--select, --ignore, --set, --to-be and the contents of a --templates folder).

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
MANIFEST_FORMAT = 2  # 2: entries record the report's hash and stamp
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


def cache_key(raw: bytes, options: "RunOptions", fingerprint: str) -> str:
    digest = hashlib.sha256()
    for part in (fingerprint.encode(), options.fingerprint().encode(), raw):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


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

    @classmethod
    def read(cls, folder: Path) -> "Manifest":
        """The manifest in ``folder``; an empty one when it is absent, unreadable or not ours."""
        from kafka.aggregate.collect import CaseSummary

        try:
            data = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
            if data.get("format") != MANIFEST_FORMAT:
                return cls()
            entries = {str(path): CaseSummary.from_dict(summary) for path, summary in data["cases"].items()}
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return cls()
        # A report path from the file is only trusted when it has the shape kafka writes,
        # and an entry only when it says what that report looked like.
        return cls({path: s for path, s in entries.items()
                    if _REPORT_PATH.match(s.report) and s.report_sha256 and len(s.report_stamp) == 4})

    def reusable(self, path: str, raw: bytes, options: "RunOptions", fingerprint: str,
                 out: Path) -> "CaseSummary | None":
        """The summary of case file ``path`` (read as ``raw``) from the previous run, when its
        report can be kept as it is: the same cache key, and the report on disk is the one that
        run wrote. None when it must be rendered again."""
        entry = self.entries.get(str(Path(path).resolve()))
        if entry is None or entry.cache_key != cache_key(raw, options, fingerprint):
            return None
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
        payload = {
            "format": MANIFEST_FORMAT,
            "generator": f"kafka {__version__}",
            # vars(), not asdict(): asdict deep-copies every finding row, seconds on thousands of cases
            "cases": {path: vars(summary) for path, summary in self.entries.items()},
        }
        encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
        buffer, length = [], 0
        for piece in encoder.iterencode(payload):
            buffer.append(piece)
            length += len(piece)
            if length >= size:
                yield "".join(buffer).encode("utf-8", "backslashreplace")
                buffer, length = [], 0
        yield "".join(buffer).encode("utf-8", "backslashreplace")
