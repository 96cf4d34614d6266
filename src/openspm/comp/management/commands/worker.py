"""`openspm worker`: run background jobs from the database-backed queue, and fire the calc
schedules that are due (no cron needed)."""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection

from openspm.comp.services import calc, schedule

log = logging.getLogger(__name__)
SCHEDULE_EVERY = 60.0


class Command(BaseCommand):
    help = (
        "Run background jobs (calc runs, imports, exports, notifications) until stopped, and "
        "every --schedule-every seconds request the runs of the calc schedules that are due "
        "(several workers may run: each schedule fires once)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="Exit when the queue is empty.")
        parser.add_argument(
            "--schedule-every",
            type=float,
            default=SCHEDULE_EVERY,
            metavar="SECONDS",
            help=f"How often to fire due calc schedules (default {SCHEDULE_EVERY:g}; 0: never).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        failed = calc.recover_stale_runs()
        if failed:
            self.stderr.write(f"Marked {len(failed)} run(s) of a stopped worker as failed.")
        every: float = options["schedule_every"]
        ticker = None
        if every > 0:
            _tick()  # at start, so `--batch` also runs what is due
            if not options["batch"]:
                ticker = _ScheduleTicker(every)
                ticker.start()
        try:
            call_command(
                "db_worker",
                batch=options["batch"],
                reload=False,
                no_startup_delay=True,
                interval=0.5,
            )
        finally:
            if ticker is not None:
                ticker.stop()


def _tick() -> None:
    """Fire due schedules; an error is logged and the worker carries on."""
    try:
        schedule.fire_due_schedules()
    except Exception:
        log.exception("firing the calc schedules failed")


class _ScheduleTicker:
    """A thread that fires due schedules every `every` seconds until stopped."""

    def __init__(self, every: float) -> None:
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="schedules", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.every + 5)

    def _loop(self) -> None:
        try:
            while not self._stop.wait(self.every):
                close_old_connections()
                _tick()
        finally:
            connection.close()
