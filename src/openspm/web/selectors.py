"""Figures for each role's home page, read from the database."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Sum

from openspm.core.access import Viewer, role_of
from openspm.org import selectors as org_selectors
from openspm.quotas import selectors as quota_selectors
from openspm.sales import selectors as sales_selectors


def home_figures(*, viewer: Viewer) -> dict[str, object]:
    """Counts and bookings this fiscal year for what the viewer may see.

    Bookings are summed per currency for display only; paid amounts come from the engine.
    """
    today = org_selectors.today()
    role = role_of(viewer)
    me = org_selectors.get_viewer_person(viewer=viewer)
    year = org_selectors.get_period_containing(on=today, kind="year")
    transactions = sales_selectors.list_transactions(viewer=viewer)
    if year is not None:
        transactions = transactions.filter(booked_on__gte=year.start_on, booked_on__lte=year.end_on)
    bookings = list(
        transactions.exclude(status__in=["cancelled", "refunded"])
        .values("currency_id")
        .annotate(total=Sum("amount"), deals=Count("id"))
        .order_by("currency_id")
    )
    quarter = org_selectors.get_period_containing(on=today, kind="quarter")
    quota_total: Decimal | None = None
    if quarter is not None:
        quota_total = quota_selectors.list_quotas(viewer=viewer, period_key=quarter.key).aggregate(
            total=Sum("amount")
        )["total"]
    return {
        "role": role,
        "me": me,
        "fiscal_year": year,
        "quarter": quarter,
        "bookings_by_currency": bookings,
        "deal_count": sum(row["deals"] for row in bookings),
        "people_count": org_selectors.list_people(viewer=viewer, active_on=today).count(),
        "account_count": sales_selectors.list_accounts(viewer=viewer).count(),
        "quota_total": quota_total,
        "direct_reports": (
            list(org_selectors.list_direct_reports(manager_id=me.pk, on=today)) if me else []
        ),
    }
