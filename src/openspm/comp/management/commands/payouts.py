"""`openspm payouts export-payroll|export-accruals|export-capitalization PERIOD FILE`."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from openspm.comp.services import exports
from openspm.core.errors import OpenSPMError
from openspm.core.models import User
from openspm.core.roles import Role

SUBCOMMANDS = {
    "export-payroll": (
        "payroll",
        "The payroll file: payee, amount (2 decimals), currency, pay date (period end + "
        f"{exports.PAY_DELAY_DAYS} days) and earning code, one row per payee, currency and "
        "earning code, from the period's published run and its approved adjustments.",
    ),
    "export-accruals": (
        "accruals",
        "The GL accrual journal: per payee and period, earned vs paid and the accrual "
        "(earned − paid, held amounts included) as balanced journal lines.",
    ),
    "export-capitalization": (
        "capitalization",
        "The ASC 340-40 / IFRS 15 schedule: capitalised commission per payee and deal, "
        "amortised straight-line over the policy's benefit months (--journal: its entries).",
    ),
}


def _actor(username: str | None) -> User:
    """`--as USERNAME`, else the first active finance user or administrator."""
    active = User.objects.filter(is_active=True).order_by("pk")
    if username:
        user = active.filter(username=username).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        return user
    user = (
        active.filter(groups__name=Role.FINANCE.value).first()
        or active.filter(is_superuser=True).first()
        or active.filter(groups__name=Role.ADMINISTRATOR.value).first()
    )
    if user is None:
        raise CommandError("No finance user or administrator exists: pass --as USERNAME.")
    return user


class Command(BaseCommand):
    help = (
        "Finance exports of a period's published payouts, as CSV: export-payroll, "
        "export-accruals, export-capitalization. A period without a published run is refused."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
        for name, (_, text) in SUBCOMMANDS.items():
            command = sub.add_parser(name, help=text, description=text)
            command.add_argument("period", metavar="PERIOD", help="a period key: 2026-Q1")
            command.add_argument("file", metavar="FILE", help="where to write; '-' for stdout")
            command.add_argument(
                "--as",
                dest="username",
                metavar="USERNAME",
                help="act as this user (finance, comp admin or administrator); default: the "
                "first finance user or administrator",
            )
            if name == "export-capitalization":
                command.add_argument(
                    "--journal",
                    action="store_true",
                    help="write the journal entries instead of the schedule",
                )

    def handle(self, *args: Any, **options: Any) -> None:
        kind = SUBCOMMANDS[options["subcommand"]][0]
        if options.get("journal"):
            kind = "capitalization-journal"
        try:
            text = exports.export_csv(
                viewer=_actor(options["username"]), kind=kind, period_key=options["period"]
            )
        except OpenSPMError as error:
            raise CommandError(error.message) from None
        if options["file"] == "-":
            self.stdout.write(text, ending="")
            return
        Path(options["file"]).write_text(text, encoding="utf-8")
        rows = text.count("\n") - 1
        self.stderr.write(f"{options['file']}: {kind} of {options['period']}, {rows} rows")
