"""The pages of the live preview that are not the case report itself.

Each page is a plain dataclass rendered by a jinja2 template in
``templates/`` (``serve_*.html``), with the report's environment: autoescape
on, the report's stylesheet, the translator as ``t``. Case text is never
trusted, and only ever reaches the HTML through autoescaped template values.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources

from kafka import yamlsource
from kafka.diagnostics import Problem, Severity
from kafka.i18n import Translator
from kafka.render import jinja_env

EXCERPT_BEFORE = 2  # lines of the file shown above the line with a problem
EXCERPT_AFTER = 1
MAX_PROBLEMS = 50  # a file that is not YAML at all can have hundreds; the first ones say enough


@dataclass(frozen=True, slots=True)
class SourceLine:
    number: int
    text: str
    marked: bool


@dataclass(frozen=True, slots=True)
class ProblemView:
    where: str  # "regel 12, kolom 5"
    path: str  # the key path, e.g. steps[3].actor
    message: str
    severity: str  # error | warning
    excerpt: tuple[SourceLine, ...]
    caret: int | None  # spaces before the ^ under the marked line


@dataclass(frozen=True)
class ProblemsPage:
    file: str
    title: str
    lead: str
    errors: int
    warnings: int
    problems: tuple[ProblemView, ...]
    failure: str | None = None  # the message when the report itself failed
    link_back: str | None = None


@dataclass(frozen=True, slots=True)
class IndexRow:
    href: str
    file: str
    title: str
    organisation: str
    procedure: str
    findings: int | None  # None while the file has errors
    errors: int


@dataclass(frozen=True)
class IndexPage:
    title: str
    rows: tuple[IndexRow, ...]


def shell_html(lang: str, generation: int, token: str | None = None, presentable: bool = True,
               editable: bool = False) -> str:
    """The frame page. ``editable`` (kafka serve --edit) adds the workshop editor's script, which
    edits only with the token: given here (the facilitator's address), or kept by the browser tab
    from that address (a reload). Without it the page is read-only."""
    texts = _editor_texts(lang) if editable else {}
    return jinja_env(lang).get_template("serve_shell.html").render(
        generation=generation, token=token if editable else None, presentable=presentable, editable=editable,
        editor_texts=texts)


def _editor_texts(lang: str) -> dict[str, str]:
    """The editor's texts for its script (edit.js), sent as JSON data in the page."""
    from kafka.i18n import catalogue

    return {key.removeprefix("edit."): value for key, value in catalogue(lang).items()
            if key.startswith(("edit.ui.", "edit.feelings.", "edit.fields.", "edit.invalid."))}


# Where a page's parts start, as live.js cuts it (its PART): after the head, each section of the
# report (<section class="block..." id="...">) and the foot. The two must cut alike.
_PART_START = re.compile(r'<section class="block[^"]*" id="[a-z0-9-]+">|<footer[ >]')


def page_parts(html: str) -> list[str]:
    """The page cut where live.js cuts it: the head, then a part per section, then the foot."""
    cuts = [match.start() for match in _PART_START.finditer(html) if match.start() > 0]
    return [html[start:end] for start, end in zip([0, *cuts], [*cuts, len(html)])]


def _js_length(text: str) -> int:
    """The length of ``text`` in a browser's string (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def page_delta(before: str, after: str) -> str:
    """The page ``after`` for a screen that has ``before``: only what changed.

    A first line of JSON lists the parts of ``after``: ``{"same": i, "length": n}`` for part
    ``i`` of ``before`` as it was (``n``, its length, lets live.js check that it cut the page
    alike); ``{"from": i, "length": n, "head": h, "tail": t, "text": m}`` for part ``i`` of
    ``before`` with its middle changed: its first ``h`` and last ``t`` characters stay, the
    ``m`` between are new; ``{"text": m}`` for a part of its own. The new characters follow the
    line, in order. Lengths count as a browser's strings do (UTF-16). A save changes a few words
    of a megabyte of report: the screens receive and decode little more than those.
    """
    old, new = page_parts(before), page_parts(after)
    layout: list[dict[str, int]] = []
    texts: list[str] = []
    for i, part in enumerate(new):
        if i >= len(old):
            layout.append({"text": _js_length(part)})
            texts.append(part)
            continue
        was = old[i]
        head = _common_prefix(was, part)
        if head == len(was) == len(part):
            layout.append({"same": i, "length": _js_length(part)})
            continue
        tail = _common_suffix(was, part, min(len(was), len(part)) - head)
        middle = part[head:len(part) - tail]
        layout.append({"from": i, "length": _js_length(was), "head": _js_length(was[:head]),
                       "tail": _js_length(was[len(was) - tail:]), "text": _js_length(middle)})
        texts.append(middle)
    return json.dumps(layout, separators=(",", ":")) + "\n" + "".join(texts)


# Texts are compared a block at a time, then in ever smaller blocks: a few dozen comparisons,
# each done by the interpreter's own string comparison, for a section of hundreds of kilobytes.
_BLOCK = 4096


def _common_prefix(a: str, b: str) -> int:
    """How many characters ``a`` and ``b`` have in common at their start."""
    n = min(len(a), len(b))
    at, block = 0, _BLOCK
    while block:
        while at + block <= n and a[at:at + block] == b[at:at + block]:
            at += block
        block //= 2
    return at


def _common_suffix(a: str, b: str, most: int) -> int:
    """How many characters (at most ``most``) ``a`` and ``b`` have in common at their end."""
    la, lb = len(a), len(b)
    at, block = 0, _BLOCK
    while block:
        while at + block <= most and a[la - at - block:la - at] == b[lb - at - block:lb - at]:
            at += block
        block //= 2
    return at


def live_script() -> bytes:
    return resources.files("kafka").joinpath("serve/live.js").read_bytes()


def problems_html(file: str, problems: list[Problem], source: str, lang: str, link_back: str | None = None) -> str:
    t = Translator(lang)
    # Lines as the loader counts them: only line ends end a line (str.splitlines
    # would also split at U+2028, U+0085 and others, and shift the excerpt).
    lines = yamlsource.normalize(source).split("\n")
    if lines and not lines[-1]:
        lines.pop()
    ordered = sorted(problems, key=lambda p: (p.severity is not Severity.ERROR, p.line, p.col))
    page = ProblemsPage(
        file=file,
        title=t("serve.problems.title", file=file),
        lead=t("serve.problems.lead"),
        errors=sum(p.severity is Severity.ERROR for p in problems),
        warnings=sum(p.severity is Severity.WARNING for p in problems),
        problems=tuple(_problem_view(p, lines, t) for p in ordered[:MAX_PROBLEMS]),
        link_back=link_back,
    )
    return jinja_env(lang).get_template("serve_problems.html").render(page=page)


def render_failed_html(file: str, message: str, lang: str, link_back: str | None = None) -> str:
    t = Translator(lang)
    page = ProblemsPage(file=file, title=t("serve.problems.render_failed"), lead=t("serve.problems.render_failed_lead"),
                        errors=0, warnings=0, problems=(), failure=message, link_back=link_back)
    return jinja_env(lang).get_template("serve_problems.html").render(page=page)


def index_html(title: str, rows: list[IndexRow], lang: str) -> str:
    page = IndexPage(title=title, rows=tuple(rows))
    return jinja_env(lang).get_template("serve_index.html").render(page=page)


def _problem_view(problem: Problem, lines: list[str], t: Translator) -> ProblemView:
    where = t("serve.problems.where", line=problem.line, col=problem.col or 1) if problem.line else t("serve.problems.whole_file")
    excerpt: tuple[SourceLine, ...] = ()
    caret = None
    if problem.line == len(lines) + 1:
        lines = lines + [""]  # a problem at the end of the file points just past its last line
    if problem.line and problem.line <= len(lines):
        first = max(1, problem.line - EXCERPT_BEFORE)
        last = min(len(lines), problem.line + EXCERPT_AFTER)
        excerpt = tuple(SourceLine(n, _visible(lines[n - 1]), n == problem.line) for n in range(first, last + 1))
        if problem.col:
            caret = problem.col - 1
    return ProblemView(where, problem.path, problem.text(t.lang), problem.severity.value, excerpt, caret)


def _visible(line: str) -> str:
    # Tabs would shift the caret: show them as one space each, as columns count them.
    return line.replace("\t", " ")
