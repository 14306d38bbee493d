"""The run stage: from case files to what every output shows.

Every command, the aggregate's worker processes and the live server go
through here, so that one set of flags means the same everywhere:

* :class:`RunOptions` - the options of a run (``--lang``, ``--select``,
  ``--ignore``, ``--set``, ``--templates``, whether reports draw the to-be),
  checked once, with a fingerprint for caches;
* :func:`read_case` - the one bounded read of a case file;
* :func:`load_set` - the case files under some paths, loaded, with the one
  rule for a case id used twice;
* :func:`run_case` - one loaded case analysed, and its to-be scenarios:
  a :class:`CaseRun`, which the renderers take.

Below this stage: loading (:mod:`kafka.loader`), analysis
(:mod:`kafka.analysis`), the to-be (:mod:`kafka.simulate`). Above it: the
renderers and the command line.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping

from kafka.detectors import codes_matching, selected
from kafka.errors import UsageProblem
from kafka.loader import LoadedCase, iter_case_files, read_case
from kafka.settings import Settings, default_settings
from kafka.validate import check_case_set

if TYPE_CHECKING:
    from kafka.analysis import Analysis
    from kafka.model import Case
    from kafka.simulate import Scenario

__all__ = ["CaseRun", "CaseSet", "RunOptions", "load_set", "read_case", "run_case"]


@dataclass(frozen=True)
class RunOptions:
    """The options of one run. Build it with :meth:`of`, which checks them once."""

    lang: str = "nl"
    select: tuple[str, ...] = ()  # finding-code prefixes, as given
    ignore: tuple[str, ...] = ()
    overrides: tuple[tuple[str, str], ...] = ()  # NAME=VALUE pairs as given, sorted by name
    # Whether case reports draw the to-be maps and the before/after table. The
    # scenarios themselves are computed either way (the site's totals use them).
    to_be: bool = True
    templates: str | None = None  # a folder whose templates come before kafka's own (--templates)

    @classmethod
    def of(cls, lang: str = "nl", select: Iterable[str] = (), ignore: Iterable[str] = (),
           overrides: Mapping[str, str] | None = None, to_be: bool = True,
           templates: str | os.PathLike[str] | None = None) -> "RunOptions":
        """Checked options: a code prefix that matches nothing, a selection that leaves
        no finding, an unknown setting or a bad value fails here, once, not per case."""
        select, ignore = tuple(select), tuple(ignore)
        codes_matching(select + ignore)
        if not selected(select, ignore):
            raise UsageProblem("--select and --ignore leave no finding code to look for")
        if templates is not None and not Path(templates).is_dir():
            raise UsageProblem(f"--templates {templates}: no such folder")
        options = cls(lang, select, ignore, tuple(sorted((overrides or {}).items())), to_be,
                      str(templates) if templates is not None else None)
        options.settings  # noqa: B018 - check the overrides now
        return options

    @cached_property
    def settings(self) -> Settings:
        return default_settings().with_overrides(dict(self.overrides))

    @property
    def explicit_settings(self) -> frozenset[str]:
        """The settings given on the command line: they win over a case file's tariffs."""
        return frozenset(name for name, _ in self.overrides)

    @property
    def template_dirs(self) -> tuple[str, ...]:
        return (self.templates,) if self.templates else ()

    def fingerprint(self) -> str:
        """Everything in these options that changes an output, as text (part of cache keys)."""
        return json.dumps([self.lang, sorted(self.select), sorted(self.ignore), list(self.overrides), self.to_be,
                           _folder_digest(self.templates) if self.templates else None])


def _folder_digest(folder: str) -> str:
    """A hash of the names and contents of the files in a user's templates folder."""
    digest = hashlib.sha256()
    root = Path(folder)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode("utf-8", "surrogateescape"))
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"\0unreadable")
    return digest.hexdigest()


@dataclass(frozen=True)
class CaseSet:
    """The case files under some paths, loaded, in a stable order."""

    files: tuple[LoadedCase, ...]

    @property
    def valid(self) -> list[LoadedCase]:
        return [item for item in self.files if item.ok]

    @property
    def invalid(self) -> list[LoadedCase]:
        return [item for item in self.files if not item.ok]


def load_set(paths: Iterable[str | os.PathLike[str]]) -> CaseSet:
    """Load every case file under ``paths`` (files, or folders of them).

    A case id used by an earlier file makes the later file invalid (the one
    rule, :class:`kafka.validate.CaseIds`). Raises :class:`UsageProblem` when
    the paths hold no case file at all.
    """
    files = list(iter_case_files(paths))
    if not files:
        raise UsageProblem("no case files (*.yaml, *.yml) found in the given paths")
    loaded = tuple(read_case(path)[0] for path in files)
    check_case_set(loaded)
    return CaseSet(loaded)


@dataclass(frozen=True)
class CaseRun:
    """One case, analysed, with the to-be scenarios its report shows."""

    loaded: LoadedCase
    analysis: "Analysis"
    options: RunOptions
    scenarios: Mapping[str, "Scenario"] | None = None  # "local", "all"; None when not simulated or failed
    warnings: tuple[str, ...] = ()  # e.g. the to-be failed on an odd case: the run goes on without it

    @property
    def case(self) -> "Case":
        return self.analysis.case

    @property
    def lang(self) -> str:
        return self.options.lang


def run_case(loaded: LoadedCase, options: RunOptions, *, simulate: bool = True) -> CaseRun:
    """Analyse one valid loaded case and, with ``simulate``, work out its to-be.

    The to-be is an addition to the analysis: when it fails on an odd case the
    run goes on without it and says so in ``warnings`` (a bug in kafka, not in
    the user's file).
    """
    from kafka.analysis import analyze

    if not loaded.ok:
        raise ValueError(f"{loaded.path} is not a valid case file")
    case, evidence, warnings = loaded.case, None, ()
    if case.evidence is not None:  # told versus logged: the case names an event log (kafka.log.evidence)
        from kafka.log.evidence import apply_to_case, case_evidence, evidence_warnings

        evidence = case_evidence(case, loaded.path)
        warnings = evidence_warnings(loaded, evidence)
        case = apply_to_case(case, evidence)  # the yearly figures use the logged number of cases
    analysis = analyze(case, options.settings, lang=options.lang, select=options.select,
                       ignore=options.ignore, explicit_settings=options.explicit_settings)
    if evidence is not None:
        from kafka.log.evidence import annotate_findings

        analysis = annotate_findings(analysis, evidence)
    if not simulate:
        return CaseRun(loaded, analysis, options, None, warnings)
    from kafka.simulate import scenarios

    try:
        return CaseRun(loaded, analysis, options, scenarios(analysis), warnings)
    except Exception as exc:  # noqa: BLE001 - one odd case must not stop a report or a run of thousands
        warning = (f"{loaded.path}: warning: the to-be simulation failed ({type(exc).__name__}: {exc}); "
                   "there is no to-be for this case - please report this as a bug in kafka")
        return CaseRun(loaded, analysis, options, None, (*warnings, warning))
