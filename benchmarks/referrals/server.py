"""The load test's system under test: a data folder with its SQLite database and a program of
referrals, `openspm serve` and `openspm worker` as child processes, and the stored webhook
events read back once the queue is drained."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.referrals.traffic import HOST, SECRET


def bench_env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)  # noqa: TID251 - a benchmark launcher, not the app
    env.update(
        OPENSPM_DATA_DIR=str(data_dir),
        OPENSPM_ENV="production",
        OPENSPM_SECRET_KEY="bench-" + "k" * 40,
        OPENSPM_SECURE_SSL_REDIRECT="false",
        OPENSPM_REFERRAL_WEBHOOK_SECRET=SECRET,
        DJANGO_SETTINGS_MODULE="openspm.settings",
    )
    env.pop("DATABASE_URL", None)
    return env


def _python(env: dict[str, str], script: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + script],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().splitlines()[-1]


def prepare(env: dict[str, str], referrals: int) -> str:
    """Migrate (once per data folder), then a fresh program with `referrals` referrals, each
    from its own referrer; returns the program's slug."""
    commands = [["migrate"]]
    if not (Path(env["OPENSPM_DATA_DIR"]) / "static" / "staticfiles.json").exists():
        commands.append(["collectstatic", "--noinput"])
    for command in commands:
        subprocess.run([sys.executable, "-m", "openspm", *command, "-v", "0"], env=env, check=True)
    script = (
        "import time\n"
        "from decimal import Decimal\n"
        "from openspm.referrals.models import Program\n"
        "from openspm.referrals.services import intake, programs\n"
        "slug = f'bench{int(time.time())}'\n"
        "p = Program.objects.create(slug=slug, name='Bench', kind='customer',"
        " reward_kind='fixed', reward_amount=Decimal('100'), holding_days=30)\n"
        f"for n in range({referrals}):\n"
        "    r = programs.create_referrer(program=p, name=f'R{n}', email=f'r{n}@r{n}.example')\n"
        "    intake.submit_referral(program=p, referrer=r, ip='',"
        " sub=intake.Submission(referee_name=f'P{n}', referee_email=f'p{n}@p{n}.example'))\n"
        "print(slug)\n"
    )
    return _python(env, script)


def list_referral_ids(env: dict[str, str], slug: str) -> list[int]:
    script = (
        "import json\n"
        "from openspm.referrals.models import Referral\n"
        f"print(json.dumps(list(Referral.objects.filter(program__slug={slug!r})"
        ".order_by('pk').values_list('pk', flat=True))))\n"
    )
    return list(json.loads(_python(env, script)))


def stored_events(env: dict[str, str], run: str) -> dict[str, int]:
    script = (
        "import json\n"
        "from openspm.referrals.models import WebhookEvent\n"
        f"qs = WebhookEvent.objects.filter(event_id__startswith={run + '-'!r})\n"
        "print(json.dumps({'stored': qs.count(),"
        " 'applied': qs.filter(status='applied', referral__isnull=False).count(),"
        " 'failed': qs.filter(status='failed').count(),"
        " 'waiting': qs.filter(status='received').count(),"
        " 'distinct': qs.values('event_id').distinct().count()}))\n"
    )
    return dict(json.loads(_python(env, script)))


def drained(env: dict[str, str], run: str, timeout: float) -> tuple[dict[str, int], float]:
    """Wait until the worker has applied (or failed) every stored event of the run; returns
    the counts and the seconds waited."""
    started = time.monotonic()
    while True:
        stored = stored_events(env, run)
        waited = time.monotonic() - started
        if stored["waiting"] == 0 or waited > timeout:
            return stored, round(waited, 1)
        time.sleep(0.5)


@contextmanager
def working(
    env: dict[str, str], *, batch: bool = False, nice: int = 0
) -> Iterator[subprocess.Popen[bytes]]:
    """`openspm worker` (no calc schedules), stopped on exit; `batch`: it exits when the queue
    is empty; `nice`: at that lower CPU priority (the requests wait on the server, nobody on
    the queue)."""
    worker = subprocess.Popen(
        [
            *(["nice", "-n", str(nice)] if nice else []),
            sys.executable,
            "-m",
            "openspm",
            "worker",
            "--schedule-every",
            "0",
            *(["--batch"] if batch else []),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield worker
    finally:
        if worker.poll() is None:
            worker.terminate()
        worker.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _wait_up(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not come up")


@contextmanager
def serving(env: dict[str, str], args: argparse.Namespace) -> Iterator[tuple[int, int]]:
    port = _free_port()
    server_args = (
        ["--runserver"]
        if args.server == "runserver"
        else ["--workers", str(args.workers), "--threads", str(args.server_threads)]
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "openspm", "serve", f"{HOST}:{port}", "--no-worker", *server_args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_up(port)
        yield server.pid, port
    finally:
        server.terminate()
        server.wait(timeout=20)
