"""A worker killed in the middle of a run leaves no partial results (a real process, killed)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from openspm.comp.models import CalcRun, MeasureLine, PayoutLine
from openspm.comp.services import calc
from tests.comp.factories import glossary_quarter, publish_ae_plan
from tests.factories import World

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _start_worker(signal_file: Path, data_dir: Path) -> subprocess.Popen[bytes]:
    bootstrap = (
        f"import sys, django; sys.path.insert(0, {str(ROOT)!r}); django.setup(); "
        "import tests.comp.slow_writer; from openspm.__main__ import main; main(['worker'])"
    )
    env = {
        **os.environ,  # noqa: TID251
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "openspm.settings",
        "OPENSPM_DATA_DIR": str(data_dir),
    }
    return subprocess.Popen(
        [sys.executable, "-c", bootstrap, str(signal_file)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_killed_worker_leaves_no_partial_results(
    world: World, tmp_path: Path, settings: pytest.FixtureRequest
) -> None:
    settings.RUN_ARCHIVE_DIR = tmp_path / "data" / "runs"  # type: ignore[attr-defined]
    publish_ae_plan(world)
    glossary_quarter(world)
    run = calc.request_run(actor=world.users["compadmin"], period_key="2026-Q1")
    signal_file = tmp_path / "writing"
    worker = _start_worker(signal_file, tmp_path / "data")
    try:
        deadline = time.monotonic() + 60
        while not signal_file.exists():
            assert worker.poll() is None, worker.stderr.read().decode() if worker.stderr else ""
            assert time.monotonic() < deadline, "the worker never started writing"
            time.sleep(0.1)
        run.refresh_from_db()
        assert run.status == "running"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()

    assert not MeasureLine.objects.filter(run=run).exists()
    assert calc.recover_stale_runs() == [run.pk]
    run.refresh_from_db()
    assert run.status == "failed"
    assert "worker stopped" in run.error
    assert not MeasureLine.objects.filter(run=run).exists()
    assert not calc.archive.run_dir(run.pk).exists()

    retry = calc.request_run(actor=world.users["compadmin"], period_key="2026-Q1")
    done = calc.execute_run(run_id=retry.pk)
    assert done.status == CalcRun.Status.SUCCEEDED
    assert PayoutLine.objects.filter(run=retry).count() == 2
