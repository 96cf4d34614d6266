"""docs/imports.md documents every entity and every column."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from openspm.imports.entities import ENTITIES

DOC = (Path(__file__).resolve().parents[2] / "docs" / "imports.md").read_text(encoding="utf-8")


def section(name: str) -> str:
    match = re.search(rf"^### `{name}`.*?(?=^### |^## |\Z)", DOC, flags=re.M | re.S)
    assert match, f"docs/imports.md has no section for {name}"
    return match.group(0)


@pytest.mark.parametrize("name", list(ENTITIES))
def test_every_column_is_documented(name: str) -> None:
    text = section(name)
    resource = ENTITIES[name].resource
    documented = re.findall(r"^\| `(\w+)` \|", text, flags=re.M)
    assert documented == resource.columns()
    for column in resource.required_columns if resource.importable else ():
        assert re.search(rf"^\| `{column}` \| required", text, flags=re.M)
