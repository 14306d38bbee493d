"""The jinja2 environment of every page (kafka.render): its compiled templates kept between
runs, and its code generator that joins output, rendering exactly what jinja renders."""

from __future__ import annotations

from pathlib import Path

import pytest


def _environment(templates: Path, cache: Path):
    import jinja2

    from kafka.render import _CompiledTemplates

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates)), autoescape=True,
                             bytecode_cache=_CompiledTemplates(directory=str(cache)))
    compiled = []
    original = env.compile

    def compile(*args, **kwargs):
        compiled.append(args[1] if len(args) > 1 else kwargs.get("name"))
        return original(*args, **kwargs)

    env.compile = compile
    return env, compiled


def test_compiled_templates_are_loaded_again_not_compiled_and_a_changed_one_is_compiled(tmp_path):
    templates, cache = tmp_path / "templates", tmp_path / "cache"
    templates.mkdir(), cache.mkdir()
    (templates / "page.html").write_text("<p>{{ name }}</p>", encoding="utf-8")
    env, compiled = _environment(templates, cache)
    assert env.get_template("page.html").render(name="<b>") == "<p>&lt;b&gt;</p>"
    assert compiled == ["page.html"]

    env, compiled = _environment(templates, cache)
    assert env.get_template("page.html").render(name="x") == "<p>x</p>"
    assert compiled == []  # read from the cache

    (templates / "page.html").write_text("<div>{{ name }}</div>", encoding="utf-8")
    env, compiled = _environment(templates, cache)
    assert env.get_template("page.html").render(name="x") == "<div>x</div>"
    assert compiled == ["page.html"]

    for entry in cache.iterdir():
        entry.write_bytes(entry.read_bytes()[:40])  # truncated in the middle of its code
    env, compiled = _environment(templates, cache)
    assert env.get_template("page.html").render(name="y") == "<div>y</div>"
    assert compiled == ["page.html"]


JINJA_CONSTRUCTS = {
    "base.html": "<html>{% block body %}default {{ title }}{% endblock %}</html>\n",
    "page.html": (
        "{% extends 'base.html' %}{% macro chip(x) %}<b>{{ x }}</b>{% endmacro %}"
        "{% block body %}<h1>{{ title }}</h1>{% set caption %}{{ title }} &amp; {{ n }}{% endset %}"
        "{% for item in items %}<li class=\"{{ loop.index }}\">{{ item }}{{ chip(item) }}"
        "{% if loop.last %} last{% endif %}</li>\n{% else %}none{% endfor %}"
        "{% include 'part.html' %}<p>{{ caption }}</p>{{ safe }}{{ n * 2 }}{% endblock %}"
    ),
    "part.html": "<i>{{ title|upper }} {{ items|length }}</i>",
}


def _render_both(templates: dict[str, str], **params) -> tuple[str, str]:
    import jinja2

    from kafka.render import _Environment

    pages = []
    for environment in (jinja2.Environment, _Environment):
        env = environment(loader=jinja2.DictLoader(templates), autoescape=True, undefined=jinja2.StrictUndefined)
        pages.append(env.get_template("page.html").render(**params))
    return pages[0], pages[1]


def test_joined_output_renders_what_jinja_renders():
    from markupsafe import Markup

    own, joined = _render_both(JINJA_CONSTRUCTS, title="<Tom & Jerry>", items=["a<b", Markup("<em>c</em>")],
                               safe=Markup("<hr>"), n=3)
    assert joined == own
    assert "&lt;Tom &amp; Jerry&gt;" in joined and "<em>c</em>" in joined and "a&lt;b" in joined
    assert _render_both(JINJA_CONSTRUCTS, title="", items=[], safe="", n=0)[1] == \
        _render_both(JINJA_CONSTRUCTS, title="", items=[], safe="", n=0)[0]


def test_joined_output_still_refuses_an_undefined_value():
    import jinja2

    with pytest.raises(jinja2.UndefinedError):
        _render_both(JINJA_CONSTRUCTS, title="x", items=["a"], safe="")
