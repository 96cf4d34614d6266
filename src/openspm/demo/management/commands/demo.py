"""`openspm demo`: generate the demo company and print a login for each role."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openspm.demo import selectors as demo_selectors
from openspm.demo import services as demo_services
from openspm.demo.generate.logins import Login
from openspm.demo.services import DemoDataPresent

URL = "http://127.0.0.1:8000/"


def scale(text: str) -> Decimal:
    """A --scale value: a decimal in (0, 10] (argparse names it in its error message)."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if not Decimal(0) < value <= Decimal(10):
        raise ValueError(text)
    return value


class Command(BaseCommand):
    help = (
        "Generate the demo company (about 200 people, 5,000 accounts and 60,000 transactions "
        "over last and this fiscal year, and the year before when the last eight quarters "
        "reach into it; a published plan per selling role), calculate, approve and "
        "publish the last eight quarters (closing all but the current one), open a few "
        "disputes and enter a few adjustments, then load the referral programs (the "
        "employees' rewards posted to the current quarter); deterministic for a seed and day. "
        "Prints a login for "
        "each role. Refuses to run on a database that already holds data unless --reset is "
        "given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=42, help="Random seed (default 42).")
        parser.add_argument(
            "--scale",
            type=scale,
            default=Decimal(1),
            help="Size relative to the full demo, 0 < scale <= 10 (default 1.0).",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete people, sales data, territories, quotas and referral programs first "
            "(all of it, not only the demo's), and reset the demo logins.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="When the database already holds data, leave it as it is, print the demo "
            "logins and exit successfully (for `make demo`, which may run more than once).",
        )
        parser.add_argument(
            "--no-payouts",
            action="store_true",
            help="Only the company, its sales data and plans: no calc runs, approvals, closed "
            "quarters, disputes, adjustments or referral programs (much faster).",
        )
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=None,
            help="Generate as if today were this day, YYYY-MM-DD (default: today).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        step_started = [started]

        def progress(step: str, count: int) -> None:
            now = time.monotonic()
            dots = "." * max(2, 24 - len(step))
            self.stdout.write(f"  {step} {dots} {count:>9,}  ({now - step_started[0]:.1f} s)")
            self.stdout.flush()
            step_started[0] = now

        if options["if_empty"] and not options["reset"]:
            present = demo_services.existing_data()
            if present:
                self.stdout.write(
                    "The database already holds data (" + ", ".join(present) + "): "
                    "leaving it as it is. Run `openspm demo --reset` to generate it afresh."
                )
                self.print_logins(demo_selectors.list_demo_logins())
                return
        self.stdout.write(
            f"Generating the demo company (seed {options['seed']}, scale {options['scale']})…"
        )
        try:
            result = demo_services.load_demo(
                seed=options["seed"],
                scale=options["scale"],
                as_of=options["as_of"],
                reset=options["reset"],
                progress=progress,
                pay=not options["no_payouts"],
            )
        except DemoDataPresent as error:
            raise CommandError(error.message) from None
        self.stdout.write(self.style.SUCCESS(f"Done in {time.monotonic() - started:.1f} s."))
        self.print_logins(result.logins)

    def print_logins(self, logins: list[Login]) -> None:
        if not logins:
            return
        self.stdout.write("")
        self.stdout.write(f"Open {URL} and sign in with one of these demo logins:")
        rows = [("role", "username", "password", "person")] + [
            (login.role, login.username, login.password, login.person or "—") for login in logins
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for n, row in enumerate(rows):
            line = "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
            self.stdout.write("  " + line.rstrip())
            if n == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))
        self.stdout.write(
            "These passwords are for the demo only: change or remove these logins before "
            "putting real data in this database."
        )
