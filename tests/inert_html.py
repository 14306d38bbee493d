"""Checks that an HTML page is inert: nothing in it came from a case file as markup.

Shared by the injection tests and the ``kafka serve`` security tests.
"""

from __future__ import annotations

from html.parser import HTMLParser


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text of every script."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.scripts: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        self._in = tag if tag in ("script", "style") else None

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "script":
            self.scripts.append(data)


def assert_html_is_inert(page: str) -> None:
    """No element, attribute or script in ``page`` came from the case."""
    parser = _Tags()
    parser.feed(page)
    for tag, attrs in parser.tags:
        assert not (tag == "img" and ("src", "x") in attrs), "an <img> from the case became an element"
        for name, value in attrs:
            assert not name.startswith("on"), f"<{tag} {name}=...>: an event handler in the page"
            if name in ("href", "src", "xlink:href", "action", "formaction"):
                assert not (value or "").strip().lower().startswith("javascript:"), f"<{tag} {name}={value!r}>"
    for script in parser.scripts:
        assert "alert(" not in script, "a script from the case is in the page"
    assert "<script>alert(" not in page and "<img src=x" not in page and "<svg/onload" not in page
