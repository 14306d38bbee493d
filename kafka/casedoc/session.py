"""One case file edited from the browser: validate, write, undo, redo, notice other editors.

:class:`EditSession` owns the served file's path and nothing else: no
request ever names a file. A change (a command from
:mod:`kafka.casedoc.values`) is applied to the file's current text, the
would-be text is loaded by kafka's own loader, and only a text without
errors is written (atomically, keeping the file's permissions). Every
request carries the *version* (SHA-256) of the text the browser was
looking at; when the file on disk is another version -- someone saved it
from a text editor meanwhile -- nothing is written and the answer shows both
changes, so the browser can ask which to keep.

Undo and redo keep whole texts (a case file is a few kilobytes), at most
:data:`UNDO_DEPTH` steps. Before every write the version on disk is kept in
the file's history folder (:mod:`kafka.casedoc.history`).
"""

from __future__ import annotations

import difflib
import os
import stat
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kafka import yamlsource
from kafka.casedoc import ops, roundtrip
from kafka.casedoc.history import History, version_of
from kafka.casedoc.roundtrip import RoundTripError
from kafka.casedoc.values import FieldProblem, InvalidRequest, command_from_json
from kafka.diagnostics import Severity
from kafka.errors import OutputError
from kafka.output import write_atomic
from kafka.i18n import Translator
from kafka.loader import LoadedCase, load_text

UNDO_DEPTH = 100
KNOWN_TEXTS = 200  # texts remembered by version, to show what changed in a conflict
MAX_DIFF_LINES = 60


@dataclass(frozen=True)
class Outcome:
    """The answer to one change: ``status`` ok | invalid | conflict; the version now on disk."""

    status: str
    version: str
    problems: tuple[dict, ...] = ()
    conflict: dict | None = None
    label: str = ""
    loaded: LoadedCase | None = field(default=None, repr=False, compare=False)  # the file now, when known

    def to_json(self) -> dict:
        out: dict[str, Any] = {"status": self.status, "version": self.version, "label": self.label}
        if self.problems:
            out["problems"] = list(self.problems)
        if self.conflict is not None:
            out["conflict"] = self.conflict
        return out


@dataclass
class _Entry:
    before: str
    after: str
    label: str


@dataclass
class _Stacks:
    undo: list[_Entry] = field(default_factory=list)
    redo: list[_Entry] = field(default_factory=list)


class EditSession:
    def __init__(self, path: str | os.PathLike[str], lang: str = "nl", undo_depth: int = UNDO_DEPTH,
                 history: History | None = None):
        self.path = Path(path)
        self.lang = lang
        self.t = Translator(lang)
        self.undo_depth = undo_depth
        self.history = history or History(self._target())
        self._stacks = _Stacks()
        self._known: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()
        self.on_write = None  # called after every write (the live site reloads at once)
        self.utf8 = True  # whether the file was UTF-8 when last read

    # --- reading ------------------------------------------------------------------------

    def read(self) -> tuple[str, str]:
        """(text, version) of the file on disk now."""
        data = self._target().read_bytes()
        if len(data) > yamlsource.MAX_FILE_BYTES:
            raise OutputError(f"{self.path} is larger than {yamlsource.MAX_FILE_BYTES:,} bytes")
        try:
            text = data.decode("utf-8")
            self.utf8 = True
        except UnicodeDecodeError:  # shown, never written back: the replaced bytes would be lost
            text = data.decode("utf-8", errors="replace")
            self.utf8 = False
        version = version_of(data)
        self._remember(version, text)
        return text, version

    @property
    def undo_count(self) -> int:
        return len(self._stacks.undo)

    @property
    def redo_count(self) -> int:
        return len(self._stacks.redo)

    def labels(self) -> tuple[str | None, str | None]:
        """What undo and redo would take back or do again."""
        undo = self._stacks.undo[-1].label if self._stacks.undo else None
        redo = self._stacks.redo[-1].label if self._stacks.redo else None
        return undo, redo

    # --- changing -------------------------------------------------------------------------

    def apply(self, request: Any, base_version: str) -> Outcome:
        """Apply the browser's ``request`` to the file, if it is still at ``base_version``."""
        with self._lock:
            text, version = self.read()
            ids = _ids(text) if isinstance(request, dict) and str(request.get("op", "")).startswith("add_") else {}
            try:
                command = command_from_json(request, ids.get("steps", []), ids)
            except InvalidRequest as exc:
                return Outcome("invalid", version, tuple(self._field_problem(p) for p in exc.problems))
            label = describe(command, self.t)
            if not self.utf8:
                return Outcome("invalid", version, ({"field": "", "message": self.t("edit.errors.not_utf8"),
                                                     "line": 0, "from_loader": False},), label=label)
            if base_version != version:
                return Outcome("conflict", version, conflict=self._conflict(base_version, text, command), label=label)
            plain, bom, crlf = _as_edited(text)
            try:
                new_plain = ops.apply(plain, command)
            except ops.EditError as exc:
                return Outcome("invalid", version, ({"field": "", "message": self.t(f"edit.{exc.key}", **exc.params),
                                                     "line": 0, "from_loader": False},), label=label)
            except RoundTripError as exc:
                return Outcome("invalid", version, ({"field": "", "message": self.t("edit.errors.not_editable", reason=exc.phrase.text(self.lang)),
                                                     "line": 0, "from_loader": False},), label=label)
            if new_plain == plain:
                return Outcome("ok", version, label=label)
            problems, checked = self._loader_problems(new_plain, command)
            if problems:
                return Outcome("invalid", version, problems, label=label)
            new_text = _as_written(new_plain, bom, crlf)  # the file's own byte-order mark and line ends
            new_version = self._write(text, new_text)
            self._push(_Entry(text, new_text, label))
            return Outcome("ok", new_version, label=label, loaded=checked)

    def undo(self, base_version: str) -> Outcome:
        return self._step_back(base_version, redo=False)

    def redo(self, base_version: str) -> Outcome:
        return self._step_back(base_version, redo=True)

    def _step_back(self, base_version: str, redo: bool) -> Outcome:
        with self._lock:
            source = self._stacks.redo if redo else self._stacks.undo
            text, version = self.read()
            if not source:
                return Outcome("invalid", version, ({"field": "", "message": self.t("edit.errors.nothing_to_redo" if redo else "edit.errors.nothing_to_undo"),
                                                     "line": 0, "from_loader": False},))
            entry = source[-1]
            expected = entry.before if redo else entry.after
            if base_version != version or text != expected:
                # Someone changed the file since: going back would throw their change away.
                label = self.t("edit.redo_label" if redo else "edit.undo_label", what=entry.label)
                return Outcome("conflict", version, conflict=self._conflict(base_version, text, None, label),
                               label=label)
            source.pop()
            new_version = self._write(text, entry.after if redo else entry.before)
            (self._stacks.undo if redo else self._stacks.redo).append(entry)
            return Outcome("ok", new_version, label=self.t("edit.redone" if redo else "edit.undone", what=entry.label))

    def _push(self, entry: _Entry) -> None:
        self._stacks.undo.append(entry)
        del self._stacks.undo[:-self.undo_depth]
        self._stacks.redo.clear()

    # --- checking --------------------------------------------------------------------------

    def _loader_problems(self, new_text: str, command: ops.Command) -> tuple[tuple[dict, ...], LoadedCase]:
        loaded = load_text(new_text, str(self.path))
        errors = [p for p in loaded.problems if p.severity is Severity.ERROR]
        if not errors:
            return (), loaded
        prefix = _step_prefix(new_text, command)
        out = []
        for problem in errors:
            field_name = ""
            if prefix and (problem.path == prefix or problem.path.startswith(prefix + ".")
                           or problem.path.startswith(prefix + "[")):
                field_name = problem.path[len(prefix):].lstrip(".")
            out.append({"field": field_name, "path": problem.path, "line": problem.line,
                        "message": problem.text(self.lang), "from_loader": True})
        return tuple(out), loaded

    def _field_problem(self, problem: FieldProblem) -> dict:
        return {"field": problem.field, "path": problem.field, "line": 0,
                "message": self.t(f"edit.{problem.key}", **problem.params), "from_loader": False}

    def _conflict(self, base_version: str, text: str, command: ops.Command | None, label: str | None = None) -> dict:
        """Both sides of a conflict: what changed in the file, and what the browser wanted."""
        base = self._known.get(base_version)
        theirs = _diff(base, text) if base is not None else None
        mine = None
        if command is not None and base is not None:
            try:
                mine = _diff(base, _as_written(ops.apply(*_as_edited(base)[:1], command), *_as_edited(base)[1:]))
            except (ops.EditError, RoundTripError):
                mine = None
        return {"theirs": theirs, "mine": mine, "mine_label": label or describe(command, self.t) if command else label,
                "current": text if len(text) < 200_000 else None}

    # --- writing ------------------------------------------------------------------------------

    def _target(self) -> Path:
        """The real file behind the served path (a link is followed, never replaced by a file)."""
        return self.path.resolve()

    def _write(self, old_text: str, new_text: str) -> str:
        target = self._target()
        info = target.stat()
        if not stat.S_ISREG(info.st_mode):
            raise OutputError(f"{self.path} is no longer a file; not writing")
        data = new_text.encode("utf-8")
        try:
            self.history.keep(old_text.encode("utf-8"))
        except (OSError, OutputError) as exc:
            raise OutputError(f"cannot keep the earlier version of {self.path}: {exc}") from None
        # The user asked for this change of this very file (workshop mode): the one writer
        # that may write onto an input.
        write_atomic(target, data, mode=stat.S_IMODE(info.st_mode), edit_input=True)  # the user's permissions stay
        version = version_of(data)
        self._remember(version, new_text)
        if self.on_write is not None:
            self.on_write()
        self.prepare(_as_edited(new_text)[0])
        return version

    def prepare(self, text: str) -> None:
        """Load ``text`` for the next change while the room looks at this one (ruamel.yaml is slow)."""
        threading.Thread(target=roundtrip.prepare, args=(text,), name="kafka-edit-prepare", daemon=True).start()

    def _remember(self, version: str, text: str) -> None:
        self._known[version] = text
        self._known.move_to_end(version)
        while len(self._known) > KNOWN_TEXTS:
            self._known.popitem(last=False)


def _as_edited(disk: str) -> tuple[str, bool, bool]:
    """The text as the editor changes it (no byte-order mark, LF line ends), and what it had."""
    bom = disk.startswith("\ufeff")
    text = disk[1:] if bom else disk
    crlf = "\r\n" in text
    return (text.replace("\r\n", "\n") if crlf else text), bom, crlf


def _as_written(text: str, bom: bool, crlf: bool) -> str:
    return ("\ufeff" if bom else "") + (text.replace("\n", "\r\n") if crlf else text)


def _ids(text: str) -> dict[str, list[str]]:
    """The ids the file uses already (a new one made from a name must differ)."""
    try:
        data = yamlsource.parse(text).data
    except yamlsource.YamlProblem:
        data = None
    data = data if isinstance(data, dict) else {}
    steps = data.get("steps") if isinstance(data.get("steps"), list) else []
    return {
        "steps": [str(s.get("id")) for s in steps if isinstance(s, dict)],
        "actors": [str(k) for k in data.get("actors") or {}] if isinstance(data.get("actors"), dict) else [],
        "data": [str(k) for k in data.get("data") or {}] if isinstance(data.get("data"), dict) else [],
    }


def _step_prefix(new_text: str, command: ops.Command) -> str | None:
    """``steps[i]``: where the command's step stands in the would-be file."""
    step = getattr(command, "step", None)
    if isinstance(command, ops.SetStep) and command.values.get("id"):
        step = command.values["id"]
    if isinstance(command, ops.AddStep):
        step = command.values.get("id")
    if not step:
        return None
    try:
        data = yamlsource.parse(new_text).data
    except yamlsource.YamlProblem:
        return None
    steps = data.get("steps") if isinstance(data, dict) else None
    if isinstance(steps, list):
        for i, node in enumerate(steps):
            if isinstance(node, dict) and node.get("id") == step:
                return f"steps[{i}]"
    return None


def _diff(old: str, new: str) -> str:
    lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=1))[2:]
    if len(lines) > MAX_DIFF_LINES:
        lines = lines[:MAX_DIFF_LINES] + ["…"]
    return "\n".join(lines)


def describe(command: ops.Command, t: Translator) -> str:
    """The change in a few words, for the undo button and the list of changes."""
    if isinstance(command, ops.SetStep):
        fields = ", ".join(t(f"edit.fields.{k}") for k in command.values if t.has(f"edit.fields.{k}"))
        return t("edit.did.set_step", step=command.step, fields=fields)
    if isinstance(command, ops.AddStep):
        return t("edit.did.add_step", name=command.values.get("name", ""))
    if isinstance(command, ops.RemoveStep):
        return t("edit.did.remove_step", step=command.step)
    if isinstance(command, ops.MoveStep):
        return t("edit.did.move_step", step=command.step, n=command.to + 1)
    if isinstance(command, ops.SetNext):
        return t("edit.did.set_next", step=command.step)
    if isinstance(command, ops.AddActor):
        return t("edit.did.add_actor", name=command.name)
    if isinstance(command, ops.AddData):
        return t("edit.did.add_data", name=command.name)
    return ""
