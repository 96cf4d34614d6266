"""docs/api.md lists every comp operation of the OpenAPI document, and nothing it lacks."""

from __future__ import annotations

import re
from pathlib import Path

from openspm.api.api import api

DOC = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
PREFIX = "/api/v1/comp"


def _section() -> str:
    start = DOC.index("### Compensation: `/api/v1/comp`")
    return DOC[start : DOC.index("\n### ", start + 1)]


def test_every_comp_operation_is_documented_with_its_schemas() -> None:
    documented = set(re.findall(r"^\| `([A-Z]+)` \| `(/[^`]*)`", _section(), flags=re.M))
    operations = set()
    for path, ops in api.get_openapi_schema()["paths"].items():
        if not path.startswith(PREFIX):
            continue
        for method, op in ops.items():
            operations.add((method.upper(), path.removeprefix(PREFIX)))
            for content in op.get("requestBody", {}).get("content", {}).values():
                name = content["schema"]["$ref"].rsplit("/", 1)[-1]
                assert f"`{name}`" in _section(), name
    assert operations
    assert documented == operations
