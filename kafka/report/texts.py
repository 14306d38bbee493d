"""Every text a reader of a case report sees, as one Markdown file per language.

``make texts`` writes ``docs/texts/nl.md`` and ``docs/texts/en.md`` from the
cases in ``cases/``: the key figures, the timeline, every finding and
proposal, the before/after with each line of the change log, the headings
and the words around them, in the order a reader meets them. A test fails
when the files are stale, so every change to a text shows in review as a
change to these files, and a reviewer can read them as a Flemish social
worker would, without opening 22 reports.

The text is taken from the rendered HTML itself (what the reader sees, the
templates' own words included), leaving out what is not prose: the
drawings (SVG), the scripts and styles, and the rows of the data matrix and
of the appendix tables, which repeat the case file. The output is
deterministic: no date, no version, cases in file order.

Usage: ``python -m kafka.report.texts cases/ docs/texts`` (``--check`` only
compares and exits 1 when a file would change).
"""

from __future__ import annotations

import argparse
import sys
from html.parser import HTMLParser
from pathlib import Path

from kafka import __version__
from kafka.i18n import LANGUAGES
from kafka.output import write_atomic
from kafka.report import render_case_report
from kafka.run import RunOptions, load_set, run_case

# Elements whose content is no prose for a reader.
_SKIPPED = {"script", "style", "svg", "template", "noscript", "head"}
# Sections whose table rows repeat the case file: only their headers are texts of ours.
_ROWS_SKIPPED_IN = {"data", "appendix"}
_BLOCKS = {"p", "li", "tr", "dt", "dd", "figcaption", "caption", "summary", "label", "button", "div", "section",
           "article", "header", "footer", "nav", "dl", "ul", "ol", "table", "thead", "tbody", "details", "h1", "h2",
           "h3", "h4", "h5", "h6", "select", "option", "blockquote"}
# Inline elements the templates put side by side without a space ("157" and "dagen").
_INLINE_SPACED = {"span", "a", "strong", "em", "b", "small", "br", "input"}
_HEADINGS = {"h1": "#", "h2": "##", "h3": "###", "h4": "####", "h5": "#####", "h6": "######"}


class _Text(HTMLParser):
    """The visible prose of a report, one block per line, headings as Markdown."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._buffer: list[str] = []
        self._skip = 0  # depth inside a skipped element
        self._sections: list[str] = []  # ids of the open <section>s
        self._tbody = 0
        self._heading: str | None = None
        self._cell = False

    def handle_starttag(self, tag, attrs):
        if self._skip:
            self._skip += tag in _SKIPPED  # a skipped element inside a skipped one
            return
        if tag in _SKIPPED:
            self._skip = 1
            return
        attrs = dict(attrs)
        if tag == "section":
            self._sections.append(attrs.get("id") or (self._sections[-1] if self._sections else ""))
        if tag == "tbody":
            self._tbody += 1
        if tag in _BLOCKS:
            self._flush()
        if tag in _HEADINGS:
            self._heading = _HEADINGS[tag]
        if tag in ("td", "th") and not self._rows_skipped():
            if self._cell:
                self._buffer.append(" | ")
            self._cell = True
        if tag in _INLINE_SPACED:
            self._buffer.append(" ")

    def handle_endtag(self, tag):
        if self._skip:
            if tag in _SKIPPED:
                self._skip -= 1
            return
        if tag in _BLOCKS:
            self._flush()
        if tag == "tr":
            self._cell = False
        if tag in _INLINE_SPACED:
            self._buffer.append(" ")
        if tag == "tbody":
            self._tbody -= 1
        if tag == "section" and self._sections:
            self._sections.pop()

    def _rows_skipped(self) -> bool:
        return bool(self._tbody) and any(s in _ROWS_SKIPPED_IN for s in self._sections)

    def handle_data(self, data):
        if self._skip or self._rows_skipped():
            return
        self._buffer.append(data)

    def _flush(self) -> None:
        text = " ".join("".join(self._buffer).split())
        for opening, closing in (("( ", "("), (" )", ")"), (" ,", ","), (" .", "."), (" :", ":"), (" ·", " ·")):
            text = text.replace(opening, closing)
        self._buffer = []
        if text:
            prefix = f"{self._heading} " if self._heading else ""
            if self._heading:
                self.lines.append("")
            self.lines.append(prefix + text)
            if self._heading:
                self.lines.append("")
        self._heading = None
        self._cell = False

    def close(self) -> None:
        super().close()
        self._flush()


def report_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return parser.lines


def render_texts(paths, lang: str) -> str:
    """The golden text of the cases under ``paths`` in ``lang``."""
    cases = load_set(paths)
    options = RunOptions.of(lang=lang, to_be=True)
    out = [
        f"<!-- Generated by `make texts` (kafka.report.texts): every text of the case reports, in {lang}. "
        "Do not edit; change the catalogues or templates and run `make texts`. -->",
    ]
    for loaded in cases.valid:
        html = render_case_report(run_case(loaded, options))
        lines = report_text(html)
        out += ["", f"<!-- case: {loaded.case.id} -->"]
        out += [_mask(line, lang) for line in lines]
    text = "\n".join(out)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip() + "\n"


def _mask(line: str, lang: str) -> str:
    """No date and no version: the file changes only when a text does. The date's
    placeholder is written as the file's language writes it."""
    import re

    line = line.replace(f"kafka {__version__}", "kafka")
    return re.sub(r"\b\d{4}-\d{2}-\d{2}\b", "JJJJ-MM-DD" if lang == "nl" else "YYYY-MM-DD", line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kafka.report.texts", description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", help="a folder of case files, e.g. cases/")
    parser.add_argument("out", help="the folder to write nl.md and en.md to, e.g. docs/texts")
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when a file is stale")
    args = parser.parse_args(argv)
    stale = []
    for lang in LANGUAGES:
        target = Path(args.out) / f"{lang}.md"
        text = render_texts([args.cases], lang)
        if target.is_file() and target.read_text(encoding="utf-8") == text:
            continue
        stale.append(str(target))
        if not args.check:
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(target, text)
    if args.check and stale:
        print("stale: " + ", ".join(stale) + " (run `make texts`)", file=sys.stderr)
        return 1
    for name in stale:
        print(f"wrote {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
