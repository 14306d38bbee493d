"""What the live preview shows: the served case files, loaded, analysed and rendered.

:class:`LiveSite` keeps one :class:`CaseState` per case file. :meth:`LiveSite.refresh`
(called by the poller) reloads the files whose stamp changed, renders their
pages at once (so the browser's reload finds them ready), and only then
counts a new *generation*, which wakes every open page's event stream. Pages
of files nobody changed are rendered on first request and kept.

Served path a file: ``main_page`` is its report, or its problems while it is
invalid. A folder: ``main_page`` lists its cases, ``case_page(key)`` shows one.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from dataclasses import dataclass, field, replace
from pathlib import Path

from kafka.errors import InputError, KafkaError
from kafka.i18n import Translator
from kafka.loader import LoadedCase, read_case
from kafka.output import safe_name
from kafka.run import CaseRun, RunOptions, run_case
from kafka.serve import pages
from kafka.serve.overview import FolderOverview, SiteFile
from kafka.serve.watch import Stamp, case_files, stamp

log = logging.getLogger(__name__)

# Render at once when at most this many files changed together (an edit);
# a first scan of a big folder renders its pages when they are asked for.
EAGER_RENDER_LIMIT = 3
# A file that cannot be read as a case just after it changed may be half-written: many editors
# empty the file, then write it, and a poll can come in between (on a busy machine it does, one
# save in six: the room saw "the file is empty" flash by and the whole page load twice). Such a
# version is shown once the file stayed so this long; a good one is shown at once.
SETTLE_SECONDS = 0.3

@dataclass
class CaseState:
    path: Path
    name: str  # as shown to the user
    stamp: Stamp | None
    loaded: LoadedCase
    source: str  # the text that was loaded
    run: CaseRun | None = None
    failure: str | None = None  # the analysis failed: a bug, shown rather than hidden
    html: str | None = field(default=None, repr=False)
    partial: bool = False  # rendered without the to-be, to show an edit at once (LiveSite.complete adds it)
    # The to-be section's data: the one shown (kept for the next version's quick page), and for a
    # quick page the one of the version before, shown until complete() brings the new one.
    to_be: object | None = field(default=None, repr=False)
    earlier_to_be: object | None = field(default=None, repr=False)
    report: object | None = field(default=None, repr=False)  # the report's data (the presentation shows it too)

    @property
    def ok(self) -> bool:
        return self.run is not None


@dataclass(frozen=True)
class Change:
    """One refresh: the states that were (re)loaded and the paths that disappeared."""

    generation: int
    updated: tuple[CaseState, ...]
    removed: tuple[Path, ...]


class LiveSite:
    def __init__(self, target: str | Path, options: RunOptions | None = None):
        self.target = Path(target)
        if not self.target.exists():
            raise InputError(f"{self.target}: no such file or folder")
        self.folder = self.target.is_dir()
        # Each report shows its to-be, as `kafka report` makes it.
        self.options = replace(options or RunOptions.of(), to_be=True)
        self.lang = self.options.lang
        # A folder also gets its VVSG site, as `kafka aggregate` makes it (no to-be maps).
        self._overview = FolderOverview(self.target, replace(self.options, to_be=False)) if self.folder else None
        self._states: dict[Path, CaseState] = {}
        self._keys: dict[str, Path] = {}
        self._generation = 0
        self.scan_seconds = 0.0  # how long the last look at the files took
        self._unsettled: dict[Path, tuple[Stamp | None, float]] = {}  # a broken version: its stamp, first seen
        self._closed = False
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)

    # --- watching ---------------------------------------------------------------

    @property
    def generation(self) -> int:
        with self._lock:
            return self._generation

    def refresh(self, quick: bool = False, written: tuple[str, LoadedCase] | None = None) -> Change | None:
        """Reload what changed on disk; None when nothing did.

        ``quick`` (an edit, in the workshop editor or in the file): a changed report of a
        file seen before is made without working out its to-be -- the simulation and the
        to-be maps are half the time -- so that the room sees the change at once; the page
        shows the to-be of the version before meanwhile, and :meth:`complete` brings the new
        one. A file seen for the first time, or many changed at once, are made whole.
        ``written``: (text, loaded case) of the served file as the workshop editor just wrote and
        checked it, so that it is not read and loaded again.
        """
        with self._lock:
            known = dict(self._states)
        started = time.perf_counter()
        # A served file stays the one served, even when it is (for a moment) a folder:
        # its page then says so.
        files = case_files(self.target) if self.folder else [self.target]
        current = {path: stamp(path) for path in files}
        self.scan_seconds = time.perf_counter() - started
        changed = [path for path, new in current.items() if path not in known or known[path].stamp != new]
        changed = [path for path in changed if not self._still_settling(path, current[path])]
        quick = quick and len(changed) <= EAGER_RENDER_LIMIT
        updated = [self._load(path, current[path], quick and path in known, known.get(path),
                              written if path == self.target and not self.folder else None)
                   for path in changed]
        updated = [state for state in updated if state.path not in known or not self._settling(state)]
        removed = tuple(path for path in known if path not in current)
        self._unsettled = {path: seen for path, seen in self._unsettled.items() if path in current}
        if not updated and not removed:
            return None
        if len(updated) <= EAGER_RENDER_LIMIT:
            for state in updated:
                self._html(state)
        with self._changed:
            for state in updated:
                self._states[state.path] = state
            for path in removed:
                del self._states[path]
            self._keys = _keys_for(list(self._states), self.target) if self.folder else {}
            self._generation += 1
            self._changed.notify_all()
            return Change(self._generation, tuple(updated), removed)

    def _settling(self, state: CaseState) -> bool:
        """Whether ``state``, a new version of a file shown before that cannot be read as a case, is
        kept back: it may be a file being written (see SETTLE_SECONDS). A good version, or a bug, is
        shown at once; so is a file seen for the first time (there is nothing else to show)."""
        if state.loaded.ok or state.failure is not None:
            self._unsettled.pop(state.path, None)
            return False
        seen = self._unsettled.get(state.path)
        if seen is None or seen[0] != state.stamp:
            self._unsettled[state.path] = (state.stamp, time.monotonic())
            return True
        if time.monotonic() - seen[1] < SETTLE_SECONDS:
            return True
        del self._unsettled[state.path]
        return False

    def _still_settling(self, path: Path, seen: Stamp | None) -> bool:
        """A broken version kept back, not yet long enough to show it: not read again meanwhile."""
        kept = self._unsettled.get(path)
        return kept is not None and kept[0] == seen and time.monotonic() - kept[1] < SETTLE_SECONDS

    def complete(self) -> Change | None:
        """Render whole (with the to-be) the reports a quick refresh made; None when there are none."""
        with self._lock:
            partial = [state for state in self._states.values() if state.partial]
        done = []
        for state in partial:
            whole = CaseState(state.path, state.name, state.stamp, state.loaded, state.source)
            self._run(whole, self.options)
            if not self._current(state):
                continue  # a newer version came meanwhile: do not slow down showing it by drawing this one
            self._html(whole)
            done.append((whole, state))
        with self._changed:
            # Only where nothing newer came meanwhile (another edit, a save).
            done = [whole for whole, was in done if self._states.get(was.path) is was]
            if not done:
                return None
            for whole in done:
                self._states[whole.path] = whole
            self._generation += 1
            self._changed.notify_all()
            return Change(self._generation, tuple(done), ())

    def _current(self, state: CaseState) -> bool:
        with self._lock:
            return self._states.get(state.path) is state

    def wait(self, seen: int, timeout: float) -> int:
        """The generation once it differs from ``seen`` (or after ``timeout`` seconds, or on close)."""
        with self._changed:
            self._changed.wait_for(lambda: self._generation != seen or self._closed, timeout)
            return self._generation

    def close(self) -> None:
        """Wake every waiting event stream so that it can end; remove the folder's built site."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        if self._overview is not None:
            self._overview.close()

    @property
    def closed(self) -> bool:
        return self._closed

    # --- pages --------------------------------------------------------------------

    def main_page(self) -> str:
        if self.folder:
            return self._index()
        with self._lock:
            state = self._states.get(self.target)
        if state is None:  # before the first refresh
            self.refresh()
            with self._lock:
                state = self._states[self.target]
        return self._html(state)

    def case_page(self, key: str) -> str | None:
        """The page of the case file with URL key ``key``; None for an unknown key (never a path)."""
        with self._lock:
            path = self._keys.get(key)
            state = self._states.get(path) if path is not None else None
        return self._html(state) if state is not None else None

    def site_file(self, name: str) -> SiteFile | None:
        """A file of the folder's VVSG site (``index.html``, ``cases/x.html``...); None when there is no such file."""
        if self._overview is None:
            return None
        return self._overview.file(name, self.generation)

    def states(self) -> list[CaseState]:
        with self._lock:
            return [self._states[p] for p in sorted(self._states)]

    # --- loading and rendering ----------------------------------------------------------

    def _load(self, path: Path, seen: Stamp | None, quick: bool = False,
              earlier: CaseState | None = None, written: tuple[str, LoadedCase] | None = None) -> CaseState:
        name = str(path)
        if written is not None:
            state = CaseState(path, name, seen, written[1], written[0])
        else:
            # The stamp is taken before reading: if the file changes while it is
            # read, the next poll sees a newer stamp and reads it again.
            try:
                loaded, raw = read_case(path)
            except Exception:  # noqa: BLE001 - a bug in the loader: shown on the page, logged once per change
                log.exception("reading %s failed", name)
                # The state keeps the stamp, so the next poll does not read the same file again.
                state = CaseState(path, name, seen, LoadedCase(path, None), "")
                state.failure = traceback.format_exc(limit=-3)
                return state
            state = CaseState(path, name, seen, loaded, raw.decode("utf-8", errors="replace"))
        self._run(state, replace(self.options, to_be=False) if quick else self.options)
        state.partial = quick and state.run is not None
        if state.partial and earlier is not None:
            state.earlier_to_be = earlier.to_be
        return state

    def _run(self, state: CaseState, options: RunOptions) -> None:
        if state.loaded.ok:
            try:
                state.run = run_case(state.loaded, options, simulate=options.to_be)
            except KafkaError as exc:
                state.failure = str(exc)
            except Exception:  # noqa: BLE001 - a bug must not stop the workshop
                log.exception("analysing %s failed", state.name)
                state.failure = traceback.format_exc(limit=-3)

    def _html(self, state: CaseState) -> str:
        if state.html is not None:
            return state.html
        link_back = "../" if self.folder else None  # from /view/case/KEY to /view/
        if state.run is None and state.failure is None:
            html = pages.problems_html(state.name, state.loaded.problems, state.source, self.lang, link_back)
        elif state.failure is not None:
            html = pages.render_failed_html(state.name, state.failure, self.lang, link_back)
        else:
            html = self._report(state, link_back)
        state.html = html
        return html

    def _report(self, state: CaseState, link_back: str | None) -> str:
        from kafka.report import render_live_report

        try:
            html, state.report = render_live_report(state.run, link_back=link_back,
                                                    earlier_to_be=state.earlier_to_be if state.partial else None)
            state.to_be = state.report.to_be
            return html
        except KafkaError as exc:
            state.failure = str(exc)
        except Exception:  # noqa: BLE001 - show the error in the page and keep serving
            log.exception("rendering the report of %s failed", state.name)
            state.failure = traceback.format_exc(limit=-3)
        return pages.render_failed_html(state.name, state.failure, self.lang, link_back)

    def _index(self) -> str:
        t = Translator(self.lang)
        with self._lock:
            keys = {path: key for key, path in self._keys.items()}
            states = [self._states[p] for p in sorted(self._states)]
        rows = []
        for state in states:
            case = state.loaded.case
            info = case.case if case is not None else None
            rows.append(pages.IndexRow(
                href=f"case/{keys[state.path]}",
                file=_relative(state.path, self.target),
                title=info.title if info else state.path.name,
                organisation=info.organisation if info else "",
                procedure=(info.procedure or "") if info else "",
                findings=len(state.run.analysis.findings) if state.run else None,
                errors=len(state.loaded.errors) + (1 if state.failure else 0),
            ))
        return pages.index_html(t("serve.index.title", folder=self.target.name or str(self.target)), rows, self.lang)


def _relative(path: Path, folder: Path) -> str:
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return path.name


def _keys_for(paths: list[Path], folder: Path) -> dict[str, Path]:
    """A URL key per file, from its path in the folder: stable while the files stay."""
    keys: dict[str, Path] = {}
    for path in sorted(paths):
        stem = safe_name(_relative(path, folder).rsplit(".", 1)[0])
        key, n = stem, 1
        while key in keys:
            n += 1
            key = f"{stem}-{n}"
        keys[key] = path
    return keys
