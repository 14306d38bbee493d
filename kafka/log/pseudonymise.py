"""Pseudonymisation on the way in: case ids and resources become keyed hashes.

A log from a case-management system names clients (through their dossier
numbers) and social workers. kafka replaces both, as it reads them, by
HMAC-SHA256 of the value under a secret key, cut to 16 hex digits: ``c-`` for
cases, ``r-`` for resources. The key is a random 256-bit number kept by the
user in a file (by default ``~/.config/kafka/pseudonym.key``, created on first
use with mode 0600), so:

- the same dossier or the same social worker gets the same pseudonym in every
  log read with that key, and a log read again gives the same outputs;
- without the key nobody can check a guessed dossier number against a
  pseudonym (which a plain hash would allow: dossier numbers are few);
- another key gives unrelated pseudonyms (share outputs made with a key
  that is not used for anything else).

Each distinct value is hashed once, in the engine (HMAC written out in SQL,
checked against Python's ``hmac`` by the tests), and joined back.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from kafka.errors import InputError, OutputError
from kafka.output import create_private

KEY_ENV = "KAFKA_LOG_KEY"
KEY_BYTES = 32
PSEUDONYM_HEX = 16  # 64 bits: no collision to expect below billions of values (and one is checked for)
PREFIX = {"case": "c-", "resource": "r-"}


@dataclass(frozen=True)
class PseudonymKey:
    secret: bytes
    path: Path | None = None  # None: a key made for this run only (nothing pseudonymous is written)
    created: bool = False

    def __repr__(self) -> str:  # never print the secret, not even in a traceback
        return f"PseudonymKey(path={self.path!s}, fingerprint={self.fingerprint})"

    @property
    def fingerprint(self) -> str:
        """A short, public name of the key: outputs made with the same key show the same fingerprint."""
        return hashlib.sha256(b"kafka-pseudonym-key\x00" + self.secret).hexdigest()[:8]

    def pseudonym(self, kind: str, value: str) -> str:
        digest = hmac.digest(self.secret, kind.encode() + b"\x00" + value.encode("utf-8"), "sha256")
        return PREFIX[kind] + digest.hex()[:PSEUDONYM_HEX]

    def pseudonyms(self, kind: str, values: Iterable[str]) -> list[str]:
        secret, prefix, tag = self.secret, PREFIX[kind], kind.encode() + b"\x00"
        return [prefix + hmac.digest(secret, tag + v.encode("utf-8"), "sha256").hex()[:PSEUDONYM_HEX] for v in values]


    def sql(self, column: str, kind: str) -> str:
        """SQL computing :meth:`pseudonym` of ``column`` in the engine (with :meth:`sql_params`):
        HMAC-SHA256 written out, H((K ^ opad) || H((K ^ ipad) || message)), so a million
        values are hashed in parallel C++ instead of one by one in Python."""
        assert kind in PREFIX
        return (f"'{PREFIX[kind]}' || left(sha256($kafka_opad::BLOB || unhex(sha256($kafka_ipad::BLOB || "
                f"encode('{kind}' || chr(0) || {column})))), {PSEUDONYM_HEX})")

    def sql_params(self) -> dict[str, bytes]:
        block = self.secret.ljust(64, b"\x00")  # SHA-256's block; the key is 32 bytes
        return {"kafka_ipad": bytes(b ^ 0x36 for b in block), "kafka_opad": bytes(b ^ 0x5C for b in block)}


def default_key_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "kafka" / "pseudonym.key"


def run_key() -> PseudonymKey:
    """A random key for this run only: for figures that never show a pseudonym (told versus logged)."""
    return PseudonymKey(secrets.token_bytes(KEY_BYTES))


def load_key(path: str | os.PathLike[str] | None = None, *, create: bool = True) -> PseudonymKey:
    """The key in ``path`` (default: :func:`default_key_path`), made when it does not exist yet."""
    path = Path(path) if path else default_key_path()
    if not path.exists():
        if not create:
            raise InputError(f"{path}: no such pseudonymisation key")
        return _create(path)
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the pseudonymisation key: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        secret = b""
    if len(secret) != KEY_BYTES:
        raise InputError(f"{path}: this is not a kafka pseudonymisation key (64 hexadecimal digits); "
                         "give another file with --key, or move this one away to make a new key")
    return PseudonymKey(secret, path)


def key_is_private(key: PseudonymKey) -> bool:
    """False when others on this machine may read the key file."""
    if key.path is None:
        return True
    try:
        mode = key.path.stat().st_mode
    except OSError:
        return True
    return not mode & (stat.S_IRGRP | stat.S_IROTH)


def _create(path: Path) -> PseudonymKey:
    secret = secrets.token_bytes(KEY_BYTES)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        create_private(path, secret.hex() + "\n")  # never over a key another process made meanwhile
    except FileExistsError:
        return load_key(path, create=False)
    except OSError as exc:
        raise OutputError(f"cannot create the pseudonymisation key {path}: {exc.strerror or exc}") from None
    return PseudonymKey(secret, path, created=True)
