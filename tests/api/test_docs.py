"""The OpenAPI document and the docs page work air-gapped: every asset is served locally (W2)."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from openspm.api.api import api

ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


@pytest.mark.django_db
class TestOpenAPI:
    def test_the_document_is_served_without_signing_in(self) -> None:
        response = Client().get("/api/v1/openapi.json")
        assert response.status_code == 200
        document = response.json()
        assert document["info"]["title"] == "OpenSPM API"
        assert "/api/v1/sales/transactions" in document["paths"]

    def test_it_documents_both_ways_to_authenticate(self) -> None:
        schemes = api.get_openapi_schema()["components"]["securitySchemes"]
        assert {s["type"] for s in schemes.values()} == {"apiKey", "http"}


@pytest.mark.django_db
class TestDocsPage:
    @pytest.fixture
    def page(self) -> str:
        response = Client().get("/api/v1/docs")
        assert response.status_code == 200
        return response.content.decode()

    def test_references_no_remote_url(self, page: str) -> None:
        assert re.findall(r"https?://", page) == []

    def test_every_referenced_asset_exists_and_is_served(self, page: str) -> None:
        assets = [url for url in ASSET.findall(page) if url.startswith("/static/")]
        assert len(assets) >= 3  # the stylesheet, the bundle, the init script
        client = Client()
        for url in assets:
            assert finders.find(url.removeprefix("/static/")), url
            response = client.get(url)
            assert response.status_code == 200, url
            body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
            assert body, url
            assert re.search(rb"""(?:src|href)=["']https?://""", body) is None, url

    def test_points_at_the_local_openapi_document(self, page: str) -> None:
        assert '"url": "/api/v1/openapi.json"' in page
