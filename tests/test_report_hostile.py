"""A case whose texts are HTML, script, event handlers, jinja2 and Graphviz syntax
renders as plain text: in the page and inside the SVG."""

from __future__ import annotations

import re

import pytest

from kafka.analysis import analyze
from kafka.loader import load_text
from kafka.report import render_case_report
from runs import case_run
from report_cases import IMG, JINJA, JINJA_BLOCK, MARKERS, SCRIPT, hostile_case_text
from test_report import Page


@pytest.fixture(scope="module", params=["nl", "en"])
def page_html(request) -> str:
    loaded = load_text(hostile_case_text(), "hostile.yaml")
    assert loaded.ok, [str(p) for p in loaded.problems]
    return render_case_report(case_run(loaded, request.param))


def test_no_markup_from_the_case_reaches_the_page(page_html):
    page = Page(page_html)
    assert "img" not in page.tags
    assert page.tags.count("script") == 2  # ours: sortable tables and map zoom
    handlers = [(tag, name) for tag, name, _ in page.attributes if name.lower().startswith("on")]
    assert handlers == []
    assert not any("javascript:" in value.lower() for _, _, value in page.attributes)


def test_every_hostile_text_is_shown_literally(page_html):
    text = "".join(Page(page_html).text)
    for marker in MARKERS:
        assert marker in text, marker
    # the case's title is the page's title, as text
    assert re.search(r"<title>Hostile &lt;script&gt;alert\(&#34;xss&#34;\)&lt;/script&gt; \{\{ 7\*7 \}\}", page_html) \
        or re.search(r"<title>Hostile &lt;script&gt;alert\(&quot;xss&quot;\)&lt;/script&gt; \{\{ 7\*7 \}\}", page_html)


def test_jinja_syntax_in_a_case_is_never_evaluated(page_html):
    assert JINJA in page_html and JINJA_BLOCK in page_html
    assert "Hostile &lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt; 49" not in page_html


def test_attributes_carry_case_texts_escaped(page_html):
    # a quote in a case text cannot close an attribute: every title="..." stays one attribute
    for tag, name, value in Page(page_html).attributes:
        if name == "title" and "xss" in value:
            assert SCRIPT in value or "alert(" in value
    assert 'title="1. Start <script>' not in page_html
    assert IMG not in page_html
