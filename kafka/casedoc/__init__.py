"""Editing a case file from the workshop's browser, keeping what the user wrote.

- :mod:`kafka.casedoc.roundtrip`: ruamel.yaml round-trip, and a merge that keeps the original layout;
- :mod:`kafka.casedoc.ops`: the changes as small typed commands (set, add, remove, move a step...);
- :mod:`kafka.casedoc.values`: the browser's JSON read into commands, each field checked;
- :mod:`kafka.casedoc.session`: validate with kafka's loader, write atomically, undo/redo, conflicts;
- :mod:`kafka.casedoc.history`: earlier versions in ``.kafka-history/`` beside the file.
"""

from kafka.casedoc.history import FOLDER as HISTORY_FOLDER, History, version_of
from kafka.casedoc.ops import (
    AddActor, AddData, AddStep, Branch, Command, EditError, MoveStep, RemoveStep, SetNext, SetStep, apply,
)
from kafka.casedoc.session import UNDO_DEPTH, EditSession, Outcome

__all__ = [
    "AddActor", "AddData", "AddStep", "Branch", "Command", "EditError", "EditSession", "HISTORY_FOLDER", "History",
    "MoveStep", "Outcome", "RemoveStep", "SetNext", "SetStep", "UNDO_DEPTH", "apply", "version_of",
]
