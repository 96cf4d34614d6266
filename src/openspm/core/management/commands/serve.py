"""`openspm serve`: the web server and, beside it, a background worker.

The server is gunicorn (several worker processes, each with threads) when it is installed, as
it is with the package; `--runserver`, or a missing gunicorn, falls back to Django's
development server.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

DEFAULT_ADDRPORT = "127.0.0.1:8000"


def gunicorn_available() -> bool:
    return importlib.util.find_spec("gunicorn") is not None


def default_workers() -> int:
    """Two processes per CPU, at most eight: SQLite has a single writer, so more processes add
    contention rather than throughput on the embedded default."""
    return max(2, min(8, 2 * (os.cpu_count() or 1)))


def bind_address(addrport: str) -> str:
    """runserver's `[ADDR:]PORT` as a gunicorn bind address."""
    if addrport.isdigit():
        return f"127.0.0.1:{addrport}"
    host, sep, port = addrport.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise CommandError(f"{addrport!r} is not ADDR:PORT or PORT.")
    return addrport


def gunicorn_command(*, addrport: str, workers: int, threads: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "openspm.wsgi:application",
        "--bind",
        bind_address(addrport),
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--graceful-timeout",
        "10",
    ]


def _stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)


class Command(BaseCommand):
    help = "Serve the web app on http://127.0.0.1:8000 with a background worker beside it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default=DEFAULT_ADDRPORT)
        parser.add_argument("--no-worker", action="store_true", help="Do not start a worker.")
        parser.add_argument(
            "--runserver",
            action="store_true",
            help="Use Django's development server instead of gunicorn.",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            help="gunicorn worker processes (default: two per CPU, 2 to 8).",
        )
        parser.add_argument(
            "--threads", type=int, default=4, help="Threads per gunicorn worker (default 4)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        use_gunicorn = not options["runserver"] and gunicorn_available()
        if use_gunicorn and (options["workers"] < 1 or options["threads"] < 1):
            raise CommandError("--workers and --threads must be at least 1.")
        command = (
            gunicorn_command(
                addrport=options["addrport"],
                workers=options["workers"],
                threads=options["threads"],
            )
            if use_gunicorn
            else None
        )
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
        worker = None
        server = None
        if not options["no_worker"]:
            worker = subprocess.Popen([sys.executable, "-m", "openspm", "worker"])
        try:
            if command is None:
                call_command("runserver", options["addrport"], use_reloader=False)
            else:
                server = subprocess.Popen(command)
                server.wait()
        except KeyboardInterrupt:
            pass
        finally:
            _stop(server)
            _stop(worker)
