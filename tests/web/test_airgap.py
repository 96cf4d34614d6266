"""Air-gapped: no template or static file of ours refers to anything outside the server."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from django.test import Client

import openspm
from tests.web.conftest import Company

SOURCE = Path(openspm.__file__).parent
REMOTE = re.compile(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", re.IGNORECASE)
# Rendered text may show the server's own address to a user (e.g. "http://127.0.0.1:8000"),
# but nothing that the browser fetches may point elsewhere.
FETCHED = re.compile(r"""(?:src|href|action|hx-get|hx-post)\s*=\s*["'](?:https?:)?//""", re.I)


def _our_asset_files() -> list[Path]:
    files = [
        path
        for folder in ("templates", "static")
        for root in SOURCE.glob(f"*/{folder}")
        for path in root.rglob("*")
        if path.is_file()
    ]
    assert files, "found no templates or static files to check"
    return files


def test_no_template_or_static_file_names_a_remote_url() -> None:
    offenders = [
        f"{path.relative_to(SOURCE)}: {match.group(0)}"
        for path in _our_asset_files()
        for match in REMOTE.finditer(path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert offenders == []


def test_the_layout_loads_htmx_and_css_from_our_own_static_files() -> None:
    base = (SOURCE / "web/templates/web/base.html").read_text(encoding="utf-8")
    assert "{% htmx_script %}" in base
    assert "{% static 'web/openspm.css' %}" in base


def test_rendered_pages_fetch_nothing_remote(
    company: Company, login: Callable[[str], Client]
) -> None:
    anonymous = Client()
    pages = [(anonymous, "/login/")] + [
        (login("admin"), url) for url in ("/", "/org/people/", "/sales/transactions/", "/audit/")
    ]
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not FETCHED.search(html), url
        assert '<script src="/static/django_htmx/htmx.min.js"' in html, url
