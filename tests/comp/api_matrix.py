"""The comp endpoints in the role × endpoint matrix: each area adds a `tests/comp/matrix_<area>.py`
module with `MATRIX` (and optionally `prepare(company)`); this module merges them."""

from __future__ import annotations

import importlib
from pathlib import Path

from tests.api.conftest import Company
from tests.api.matrix import Entry

_AREAS = [
    importlib.import_module(f"tests.comp.{path.stem}")
    for path in sorted(Path(__file__).parent.glob("matrix_*.py"))
]

MATRIX: dict[str, Entry] = {}
for _area in _AREAS:
    for _operation, _entry in _area.MATRIX.items():
        if _operation in MATRIX:
            raise RuntimeError(f"{_operation} has two matrix entries")
        MATRIX[_operation] = _entry


def prepare(company: Company) -> None:
    for area in _AREAS:
        hook = getattr(area, "prepare", None)
        if hook is not None:
            hook(company)
