"""`openspm referrals_housekeeping`: run the referral housekeeping now, or start its daily
schedule on the job queue (`--schedule`)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from openspm.referrals.services import housekeeping


class Command(BaseCommand):
    help = (
        "Expire referrals past their program's expiry, remind idle referrers, post approved "
        "rewards to the comp ledger and drop old rate counters. With --schedule, queue the "
        "daily task instead (django-tasks, run by `openspm db_worker`; it re-queues itself)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule",
            action="store_true",
            help=f"Queue the daily run ({housekeeping.HOUR_UTC:02d}:00 UTC) on the job queue.",
        )
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schedule"]:
            with transaction.atomic():
                at = housekeeping.schedule()
            result: dict[str, Any] = {"scheduled_at": at.isoformat()}
            text = f"Referral housekeeping queued for {at:%Y-%m-%d %H:%M} UTC, then daily."
        else:
            counts = housekeeping.run()
            result = dict(counts)
            text = "Referral housekeeping: " + ", ".join(f"{k} {v}" for k, v in counts.items())
        self.stdout.write(json.dumps(result) if options["json"] else text)
