"""Headless Chromium for browser tests (playwright with the Debian chromium).

``chromium_executable()`` returns /usr/bin/chromium, installing it with apt
when it is missing, and skips the test with a clear message only when that
fails. ``open_page(path)`` opens a file in a fresh profile and records what a
user would not see: console errors, page errors, failed or external
requests and dialogs (an ``alert`` run by injected script).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
_install_failed: str | None = None


def chromium_executable() -> str:
    global _install_failed
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if _install_failed is None:
        _install_failed = _apt_install()
    if _install_failed:
        pytest.skip(f"headless Chromium is needed and could not be installed: {_install_failed}")
    return CHROMIUM


def _apt_install() -> str:
    """Install Debian's chromium; '' when it worked, else why not."""
    if shutil.which("apt-get") is None:
        return "apt-get is not available"
    for command in (["apt-get", "install", "-y", "chromium"], ["apt-get", "update"],
                    ["apt-get", "install", "-y", "chromium"]):
        result = subprocess.run(command, capture_output=True, text=True, timeout=900,
                                env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        if result.returncode == 0 and command[1] == "install" and Path(CHROMIUM).exists():
            return ""
    return (result.stderr or result.stdout).strip().splitlines()[-1] if (result.stderr or result.stdout) else "unknown error"


@dataclass
class PageLog:
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.console_errors or self.failed_requests or self.external_requests or self.dialogs)


@contextmanager
def launched_browser():
    """A headless Chromium for a module's or a test's pages (KAFKA_TEST_CHROMIUM names another)."""
    from playwright import sync_api as playwright_api

    chromium = os.environ.get("KAFKA_TEST_CHROMIUM") or chromium_executable()
    with playwright_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=chromium, args=ARGS, headless=True)
        try:
            yield instance
        finally:
            instance.close()


@contextmanager
def open_page(path: Path, *, width: int = 1400, height: int = 900, dark: bool = False):
    """(page, log) for ``path`` opened from disk in a fresh Chromium profile."""
    from playwright import sync_api as playwright_api
    executable = chromium_executable()
    page_url = Path(path).resolve().as_uri()
    log = PageLog()
    with tempfile.TemporaryDirectory() as profile, playwright_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=executable, args=ARGS, headless=True,
            viewport={"width": width, "height": height}, color_scheme="dark" if dark else "light",
        )
        try:
            page = context.new_page()
            page.on("console", lambda m: log.console_errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: log.console_errors.append(f"page error: {e}"))
            page.on("requestfailed", lambda r: log.failed_requests.append(r.url))
            page.on("request", lambda r: None if r.url.split("#")[0] == page_url else log.external_requests.append(r.url))

            def on_dialog(dialog):
                log.dialogs.append(dialog.message)
                dialog.dismiss()

            page.on("dialog", on_dialog)
            page.goto(page_url)
            page.wait_for_load_state("load")
            yield page, log
        finally:
            context.close()
