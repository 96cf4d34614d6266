"""Uploaded files kept between the page's dry run and its confirmation.

The page checks a file, shows the result, and writes it only when the comp admin confirms;
the bytes wait in `DATA_DIR/imports/` under a random token held in the user's session.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from pathlib import Path

from django.conf import settings

from openspm.core.errors import NotFound

MAX_AGE_SECONDS = 24 * 3600
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def _folder() -> Path:
    folder = Path(settings.DATA_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stash_upload(*, content: bytes) -> str:
    """Keep an upload for a later confirmation; returns its token. Old uploads are removed."""
    folder = _folder()
    cutoff = time.time() - MAX_AGE_SECONDS
    for old in [*folder.glob("*.upload"), *folder.glob("*.status")]:
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    (folder / f"{token}.upload").write_bytes(content)
    return token


def read_upload(*, token: str) -> bytes:
    path = _folder() / f"{token}.upload"
    if not _TOKEN.fullmatch(token) or not path.exists():
        raise NotFound("This upload has expired: choose the file again.")
    return path.read_bytes()


def discard_upload(*, token: str) -> None:
    if _TOKEN.fullmatch(token):
        (_folder() / f"{token}.upload").unlink(missing_ok=True)


def write_status(*, token: str, status: dict[str, object]) -> None:
    """Record how a background import of this upload is going (atomically replaced)."""
    path = _folder() / f"{token}.status"
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(status), encoding="utf-8")
    partial.replace(path)


def read_status(*, token: str) -> dict[str, object] | None:
    path = _folder() / f"{token}.status"
    if not _TOKEN.fullmatch(token) or not path.exists():
        return None
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data
