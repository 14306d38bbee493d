"""kafka's private cache of its own parsed data files (kafka.cachedir) and the scratch files of
its Graphviz calls: faster, never different, never trusted when others could have written them."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from kafka import cachedir, graphviz_draw, processmap
from kafka.yamlsource import load_data


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """The cache folder inside this test's temporary folder."""
    monkeypatch.setattr(cachedir.tempfile, "tempdir", str(tmp_path))
    cachedir.private_folder.cache_clear()
    yield tmp_path / f"kafka-cache-{os.getuid()}"
    cachedir.private_folder.cache_clear()


class Counting:
    def __init__(self, parse):
        self.parse, self.calls = parse, 0

    def __call__(self, text):
        self.calls += 1
        return self.parse(text)


def test_a_parsed_file_is_read_from_the_cache_the_second_time(folder):
    parse = Counting(lambda text: {"text": text, "list": [1, 2.5, None, True]})
    first = cachedir.parsed("a: 1", parse, "test")
    second = cachedir.parsed("a: 1", parse, "test")
    assert first == second == {"text": "a: 1", "list": [1, 2.5, None, True]}
    assert parse.calls == 1
    assert folder.stat().st_mode & 0o777 == 0o700
    assert [p.name.startswith("data-") for p in folder.iterdir()] == [True]


def test_another_text_or_another_parser_is_another_entry(folder):
    parse = Counting(lambda text: text.upper())
    assert cachedir.parsed("a", parse, "one") == "A"
    assert cachedir.parsed("b", parse, "one") == "B"
    assert cachedir.parsed("a", parse, "two") == "A"
    assert parse.calls == 3


def test_a_damaged_cache_file_is_parsed_again_and_replaced(folder):
    parse = Counting(lambda text: {"a": [1, 2, 3]})
    cachedir.parsed("x", parse, "test")
    (entry,) = folder.iterdir()
    entry.write_bytes(b"\xff\x00 not marshal")
    assert cachedir.parsed("x", parse, "test") == {"a": [1, 2, 3]}
    assert cachedir.parsed("x", parse, "test") == {"a": [1, 2, 3]}
    assert parse.calls == 2


def test_a_value_marshal_cannot_keep_is_given_but_not_kept(folder):
    parse = Counting(lambda text: {"when": dt.date(2026, 12, 2)})
    assert cachedir.parsed("x", parse, "test") == {"when": dt.date(2026, 12, 2)}
    assert cachedir.parsed("x", parse, "test") == {"when": dt.date(2026, 12, 2)}
    assert parse.calls == 2
    assert not [p for p in folder.iterdir() if not p.name.startswith(".")]


def test_no_cache_where_the_folder_cannot_be_made(tmp_path, monkeypatch):
    not_a_folder = tmp_path / "a-file"  # no folder can be made inside a file, not even by root
    not_a_folder.write_text("", encoding="utf-8")
    monkeypatch.setattr(cachedir.tempfile, "tempdir", str(not_a_folder))
    cachedir.private_folder.cache_clear()
    try:
        assert cachedir.private_folder() is None
        assert cachedir.parsed("a: 1", lambda text: {"a": 1}, "test") == {"a": 1}
    finally:
        cachedir.private_folder.cache_clear()


def test_a_folder_others_can_write_in_is_not_trusted(folder):
    folder.mkdir(mode=0o700)
    folder.chmod(0o777)  # someone could have put a file there
    parse = Counting(lambda text: {"a": 1})
    assert cachedir.private_folder() is None
    cachedir.parsed("a: 1", parse, "test")
    cachedir.parsed("a: 1", parse, "test")
    assert parse.calls == 2 and list(folder.iterdir()) == []


def test_a_link_in_place_of_the_folder_is_not_followed(folder, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    folder.symlink_to(elsewhere)
    assert cachedir.private_folder() is None


def test_kafkas_catalogues_read_from_the_cache_are_what_yaml_gives(folder):
    text = (Path(processmap.__file__).parent / "data" / "administrations.yaml").read_text(encoding="utf-8")
    fresh = load_data(text)
    assert list(folder.iterdir())
    assert load_data(text) == fresh


def test_graphviz_calls_reuse_their_scratch_files_and_a_child_process_opens_its_own():
    processmap.render_graphviz('digraph { a -> b }', "svg")
    source = graphviz_draw._session.source  # kept for the process by kafka.graphviz_draw
    processmap.render_graphviz('digraph { c -> d }', "svg")
    assert graphviz_draw._session.source is source
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # the aggregate's workers are forked: they must not share the parent's file position
        try:
            svg = processmap.render_graphviz('digraph { e -> f }', "svg")
            ok = graphviz_draw._session.source is not source and b">e</text>" in svg
            os.write(writer, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.close(writer)
    os.waitpid(child, 0)
    assert os.read(reader, 1) == b"1"
    os.close(reader)
    assert b">g</text>" in processmap.render_graphviz('digraph { g -> h }', "svg")


def test_graphviz_errors_are_still_reported_after_an_earlier_call_printed_nothing():
    processmap.render_graphviz('digraph { a -> b }', "svg")
    with pytest.raises(processmap.OutputError):
        processmap.render_graphviz('digraph { a [label=<<B>unclosed>] }', "svg")
    assert b">b</text>" in processmap.render_graphviz('digraph { a -> b }', "svg")


def test_the_folder_keeps_a_bounded_number_of_entries_the_newest(folder, monkeypatch):
    monkeypatch.setattr(cachedir, "MOST_ENTRIES", 6)
    for i in range(6):
        cachedir.parsed(f"text {i}", str.upper, "test")
    for path in folder.glob("data-*"):  # written in this order, a second apart
        written = 1_000_000 + int(_read(path).split()[1])
        os.utime(path, (written, written))
    assert len(list(folder.glob("data-*"))) == 6
    cachedir.parsed("text 6", str.upper, "test")  # the seventh: the oldest four go, three stay
    assert sorted(_read(p) for p in folder.glob("data-*")) == ["TEXT 4", "TEXT 5", "TEXT 6"]


def _read(path: Path) -> str:
    import marshal

    return marshal.loads(path.read_bytes())
