"""What every HTML page of kafka shares: the templates, the jinja2 environment
and the Content-Security-Policy's script hashes.

Templates live in the repository's top-level ``templates/`` folder and are
shipped inside the wheel as ``kafka/templates``; :func:`templates_dir` finds
them in both layouts. A user's folder (``--templates DIR``) comes first, so an
OCMW can restyle its reports by overriding one template or partial (e.g.
``_base.html`` for its colours and logo). Every page is one self-contained
offline file: a Content-Security-Policy in ``_base.html`` forbids every
request and lets only the templates' own inline scripts run, by hash.
"""

from __future__ import annotations

import base64
import hashlib
import io
import marshal
import os
import pickle
import re
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

import jinja2
from jinja2.compiler import CodeGenerator

from kafka import __version__
from kafka.errors import KafkaError, OutputError, RenderError
from kafka.i18n import Translator

if TYPE_CHECKING:
    from jinja2 import nodes
    from jinja2.compiler import Frame

_PACKAGE_DIR = Path(__file__).resolve().parent.parent
_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def templates_dir() -> Path:
    """``kafka/templates`` inside an installed wheel, else the repository's ``templates/``."""
    for folder in (_PACKAGE_DIR / "templates", _PACKAGE_DIR.parent / "templates"):
        if (folder / "_base.html").is_file():
            return folder
    raise KafkaError(f"the report templates are missing (looked in {_PACKAGE_DIR / 'templates'} "
                     f"and {_PACKAGE_DIR.parent / 'templates'}); reinstall kafka")


@cache
def jinja_env(lang: str, extra_dirs: tuple[str, ...] = ()) -> jinja2.Environment:
    """The environment every kafka page is rendered with.

    ``extra_dirs`` come first in the loader, so a user (or a teammate's
    command) can override a single template or partial. Autoescape is on for
    every template and undefined names raise, so a typo in a template fails
    the tests instead of printing nothing.
    """
    loader = jinja2.ChoiceLoader(
        [jinja2.FileSystemLoader(d) for d in extra_dirs] + [jinja2.FileSystemLoader(templates_dir())]
    )
    options = {"autoescape": True, "undefined": jinja2.StrictUndefined, "trim_blocks": True, "lstrip_blocks": True}
    env = _Environment(loader=loader, bytecode_cache=_compiled_templates(options), **options)
    t = Translator(lang)
    env.globals.update(
        t=t,
        lang=lang,
        kafka_version=__version__,
        csp_script_src=csp_script_src(script_hashes(env)),
    )
    env.filters.update(number=t.number, signed=_signed(t))
    return env


class _JoinedOutput(CodeGenerator):
    """jinja's code generator, but a run of text and ``{{ values }}`` is joined before it is
    given out, in one piece instead of one per text and value.

    jinja renders a page as a generator, and a piece given out inside an included template
    of a block of a page passes through a generator at each of those levels: a report of
    100 steps is 45,000 pieces, and passing them on was 40% of rendering it (27.5 ms of
    template, 16.5 ms joined). The page is the same text: jinja joins all pieces in the end.
    Where jinja already collects into a list (macros, ``{% set %}`` blocks) and where
    ``{% extends %}`` decides at run time whether to write at all, jinja's own code is kept.
    """

    VERSION = 1  # part of the compiled templates' cache key: raise it when this class changes

    def visit_Output(self, node: nodes.Output, frame: Frame) -> None:
        if frame.buffer is not None or frame.require_output_check or len(node.nodes) < 2:
            super().visit_Output(node, frame)
            return
        pieces = self.temporary_identifier()
        self.writeline(f"{pieces} = []")
        collecting = frame.copy()
        collecting.buffer = pieces  # jinja's own way of writing into a list
        super().visit_Output(node, collecting)
        self.writeline(f"yield concat({pieces})")


class _Environment(jinja2.Environment):
    code_generator_class = _JoinedOutput


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Templates compiled once and kept between runs: compiling them was a third of a
    first report (0.15 s of CPU in every ``kafka report``).

    The folder is jinja's own private one in the temporary directory (created for
    this user only, 0700, and refused when anyone else owns it); the file names
    carry kafka's version and the environment's options, and jinja compiles a
    template again when its source changed. A cache that cannot be read or written
    is no error: the templates are compiled as they were before.
    """

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        # jinja's own reading unmarshals from the open file, piece by piece: four times
        # slower than from the bytes read at once (4 ms of the templates' 7 ms in a first report).
        try:
            with open(self._get_cache_filename(bucket), "rb") as handle:
                data = handle.read()
        except OSError:  # not compiled yet
            return
        try:
            header = io.BytesIO(data)
            if header.read(len(jinja2.bccache.bc_magic)) != jinja2.bccache.bc_magic:
                return  # another jinja or Python wrote it
            if pickle.load(header) != bucket.checksum:  # noqa: S301 - our private folder, as jinja reads it
                return  # the template changed since
            bucket.code = marshal.loads(data[header.tell():])
        except Exception:  # noqa: BLE001 - a truncated or foreign file: compile instead
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:  # a full disk or a read-only temporary folder: compile again next time
            pass


def _compiled_templates(options: dict) -> jinja2.BytecodeCache | None:
    # The code generator is part of the key: templates compiled by jinja's own would render
    # the same pages, only slower.
    generator = f"joined-output {_JoinedOutput.VERSION}"
    tag = hashlib.sha256(f"{__version__} {generator} {sorted((k, repr(v)) for k, v in options.items())}".encode()).hexdigest()
    try:
        return _CompiledTemplates(pattern=f"kafka-{tag[:16]}-%s.cache")
    except (OSError, RuntimeError):  # no private temporary folder to be had
        return None


def _signed(t: Translator):
    def signed(value: float, decimals: int = 0) -> str:
        """A difference with its sign: +3, −2 (a real minus sign), 0."""
        text = t.number(abs(value), decimals)
        if round(value, decimals) > 0:
            return f"+{text}"
        if round(value, decimals) < 0:
            return f"\u2212{text}"
        return text

    return signed


def script_hashes(env: jinja2.Environment) -> list[str]:
    """The CSP hashes of every static inline script in the templates.

    A script with template syntax inside would hash differently once
    rendered, so it is refused here rather than silently blocked by the
    browser.
    """
    hashes: dict[str, None] = {}
    for name in env.list_templates(extensions=["html"]):
        source, filename, _ = env.loader.get_source(env, name)
        for body in _SCRIPT.findall(source):
            if "{{" in body or "{%" in body or "{#" in body:
                raise KafkaError(f"{filename}: an inline <script> must be static text (no template syntax)")
            digest = hashlib.sha256(body.encode("utf-8")).digest()
            hashes[f"'sha256-{base64.b64encode(digest).decode('ascii')}'"] = None
    return list(hashes)


def csp_script_src(hashes: Iterable[str]) -> str:
    hashes = list(hashes)
    return " ".join(hashes) if hashes else "'none'"


@contextmanager
def drawing(case_file: str | os.PathLike[str]) -> Iterator[None]:
    """Turn a renderer's failure on one case into a :class:`RenderError` naming its file, so
    that a run over many cases skips that one and goes on (report, export, aggregate).

    Drawing writes nothing, so an OutputError inside (Graphviz: "could not render the
    diagram") is about the case, not the disk; any other KafkaError (missing
    templates) still stops the run.
    """
    try:
        yield
    except RenderError:
        raise
    except KafkaError as exc:
        if not isinstance(exc, OutputError):
            raise
        raise RenderError(f"{case_file}: cannot draw this case ({exc})") from None
    except Exception as exc:  # noqa: BLE001 - a template or a drawing that fails on this case's content
        raise RenderError(f"{case_file}: cannot draw this case ({type(exc).__name__}: {exc})") from None
