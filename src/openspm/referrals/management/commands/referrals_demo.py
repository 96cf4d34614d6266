"""`openspm referrals_demo`: the referral programs with realistic funnels over the demo company
(`openspm demo` loads them too, after paying the quarters)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from openspm.referrals.services import demo, housekeeping


class Command(BaseCommand):
    help = (
        "Create a partner, a customer and an employee referral program, referrers and about 70 "
        "referrals through the funnel, the employees' released rewards posted to the comp "
        "ledger (for a demo made with `openspm demo --no-payouts` or before it loaded them; "
        "refuses if programs exist), and start the daily referral housekeeping on the job "
        "queue."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=42, help="Random seed (default 42).")
        parser.add_argument("--json", action="store_true", help="Print the summary as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = demo.load(seed=options["seed"])
        except demo.DemoNotReady as exc:
            raise CommandError(str(exc)) from exc
        with transaction.atomic():  # the daily housekeeping, on the job queue
            housekeeping.schedule()
        if options["json"]:
            self.stdout.write(json.dumps(asdict(summary)))
        else:
            self.stdout.write(
                f"Referral demo: {summary.programs} programs, {summary.referrers} referrers, "
                f"{summary.referrals} referrals ({summary.won} won, {summary.flagged} flagged), "
                f"{summary.rewards} rewards ({summary.posted} in the comp ledger). Landing pages: "
                "/r/partners/, /r/customers/ and /r/employees/."
            )
