"""Rows of a log that is not a table (XES, OCEL), collected for the engine or for inspect."""

from __future__ import annotations


class RowCollector:
    """Rows of a log that is not a table (XES, OCEL), gathered in batches.

    With ``wanted`` (the mapped columns) a row is ``(position, *values)``; with
    ``wanted=None`` (``kafka log inspect``) nothing is kept but, per key, how
    often it occurs and a few distinct examples, and how often each activity
    (``activity_key``) occurs.
    """

    activity_key = "concept:name"

    def __init__(self, wanted: list[str] | None):
        self.wanted = wanted
        self.rows: list[tuple] = []
        self.keys: dict[str, int] = {}  # every key seen, with how often (inspect)
        self.examples: dict[str, list[str]] = {}
        self.activity_counts: dict[str, int] = {}  # inspect: how often each activity occurs

    def emit(self, position: int, values: dict[str, str]) -> None:
        if self.wanted is None:
            for key, value in values.items():
                self.keys[key] = self.keys.get(key, 0) + 1
                examples = self.examples.setdefault(key, [])
                if len(examples) < 200 and value not in examples:
                    examples.append(value)
            activity = values.get(self.activity_key)
            if activity is not None:
                self.activity_counts[activity] = self.activity_counts.get(activity, 0) + 1
            self.rows.append(())
            return
        self.rows.append((position, *(values.get(k) or None for k in self.wanted)))
