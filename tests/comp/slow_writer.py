"""Test support, loaded only into a worker subprocess: writing a run's lines writes the first
table, tells the test (by creating the file in OPENSPM_TEST_SIGNAL) and then waits to be
killed, so the test can kill the worker in the middle of writing results."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from openspm.comp.services import calc, results

SIGNAL = Path(sys.argv[1])
real_write_lines = results.write_lines


def write_half_then_hang(*, run_id: int, period_key: str, tables: dict[str, Any]) -> None:
    real_write_lines(
        run_id=run_id,
        period_key=period_key,
        tables={
            "credits": tables["credits"],  # checked, kept in the archive
            "measures": tables["measures"],
            "earnings": tables["earnings"].slice(0, 0),
            "payouts": tables["payouts"].slice(0, 0),
        },
    )
    SIGNAL.write_text("writing")
    time.sleep(600)


calc.write_lines = write_half_then_hang  # type: ignore[assignment]
