"""`openspm worker`: run background jobs from the database-backed queue."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from openspm.comp.services import calc


class Command(BaseCommand):
    help = "Run background jobs (calc runs, imports, exports, notifications) until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="Exit when the queue is empty.")

    def handle(self, *args: Any, **options: Any) -> None:
        failed = calc.recover_stale_runs()
        if failed:
            self.stderr.write(f"Marked {len(failed)} run(s) of a stopped worker as failed.")
        call_command(
            "db_worker", batch=options["batch"], reload=False, no_startup_delay=True, interval=0.5
        )
