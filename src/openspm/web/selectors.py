"""Reads behind the pages that span several apps: home figures, person and account pages, audit.

Sums of money here are for display only; amounts that are paid come from the engine.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import Count, Model, OuterRef, QuerySet, Subquery, Sum

from openspm.core.access import Viewer, role_of
from openspm.core.errors import PermissionDenied
from openspm.core.models import User
from openspm.core.roles import SEE_ALL_ROLES, Role
from openspm.org import selectors as org_selectors
from openspm.org.models import Period, Person
from openspm.quotas import selectors as quota_selectors
from openspm.quotas.models import Quota
from openspm.sales import selectors as sales_selectors
from openspm.sales.models import CreditSplit, Transaction
from openspm.territories import selectors as territory_selectors

# Statuses that take a deal out of bookings.
_NOT_BOOKED = (Transaction.Status.CANCELLED, Transaction.Status.REFUNDED)
RECENT_DEALS = 10


# ---------------------------------------------------------------------------------------------
# Credited bookings


@dataclass
class Bookings:
    """Credited bookings per payee and currency over a date range.

    A transaction's credit goes to its split holders by `split_percent`, or wholly to its owner
    when it has no splits.
    """

    by_person: dict[int, dict[str, Decimal]] = field(default_factory=dict)

    def for_people(self, ids: set[int] | None) -> dict[str, Decimal]:
        """Total per currency credited to `ids` (None: everyone)."""
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for person_id, per_currency in self.by_person.items():
            if ids is None or person_id in ids:
                for currency, amount in per_currency.items():
                    totals[currency] += amount
        return dict(sorted(totals.items()))


def credited_bookings(*, viewer: Viewer, start_on: date, end_on: date) -> Bookings:
    """Credited bookings of the transactions the viewer sees, booked in [start_on, end_on].

    Two queries, whatever the number of transactions.
    """
    transactions = sales_selectors.list_transactions(
        viewer=viewer, booked_from=start_on, booked_to=end_on
    ).exclude(status__in=_NOT_BOOKED)
    rows = list(transactions.values_list("pk", "owner_id", "amount", "currency_id"))
    splits: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    split_rows = CreditSplit.objects.filter(
        transaction_id__in=transactions.values("pk")
    ).values_list("transaction_id", "person_id", "split_percent")
    for transaction_id, person_id, percent in split_rows:
        splits[transaction_id].append((person_id, percent))
    by_person: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for pk, owner_id, amount, currency in rows:
        shares = splits.get(pk) or [(owner_id, Decimal(100))]
        for person_id, percent in shares:
            by_person[person_id][currency] += amount * percent / 100
    return Bookings(by_person={k: dict(v) for k, v in by_person.items()})


class Converter:
    """Converts amounts into one currency with the latest FX rate on or before a date.

    Loads the rates once; a pair missing both ways cannot be converted (None).
    """

    def __init__(self, *, viewer: Viewer, quote_currency: str, on: date) -> None:
        self.quote_currency = quote_currency
        self.on = on
        self._rates: dict[str, tuple[list[date], list[Decimal]]] = {}
        direct: dict[str, list[tuple[date, Decimal]]] = defaultdict(list)
        for rate in sales_selectors.list_fx_rates(viewer=viewer, quote_currency=quote_currency):
            if rate.rate_on <= on:
                direct[rate.currency_id].append((rate.rate_on, rate.rate))
        inverse: dict[str, list[tuple[date, Decimal]]] = defaultdict(list)
        for rate in sales_selectors.list_fx_rates(viewer=viewer, currency=quote_currency):
            if rate.rate_on <= on:
                inverse[rate.quote_currency_id].append((rate.rate_on, Decimal(1) / rate.rate))
        for currency in {*direct, *inverse}:
            pairs = sorted(direct.get(currency) or inverse[currency])
            self._rates[currency] = ([d for d, _ in pairs], [r for _, r in pairs])

    def convert(self, amount: Decimal, currency: str) -> Decimal | None:
        if currency == self.quote_currency:
            return amount
        dates, rates = self._rates.get(currency, ([], []))
        index = bisect.bisect_right(dates, self.on) - 1
        return None if index < 0 else amount * rates[index]

    def total(self, per_currency: dict[str, Decimal]) -> tuple[Decimal, list[str]]:
        """The sum in the quote currency, and the currencies that could not be converted."""
        total, missing = Decimal(0), []
        for currency, amount in per_currency.items():
            converted = self.convert(amount, currency)
            if converted is None:
                missing.append(currency)
            else:
                total += converted
        return total, missing


def attainment(bookings: Decimal, quota: Decimal) -> Decimal | None:
    """Bookings ÷ quota as a ratio (1.25 = 125 %); None without a positive quota."""
    return bookings / quota if quota > 0 else None


@dataclass
class QuotaLine:
    """One payee's quota for a period, their credited bookings against it, and attainment."""

    person: Person
    quota: Quota | None
    bookings: Decimal
    currency: str
    attainment: Decimal | None
    unconverted: list[str]


def _quota_line(
    *,
    person: Person,
    quota: Quota | None,
    per_currency: dict[str, Decimal],
    converters: dict[str, Converter],
    default_currency: str,
) -> QuotaLine:
    currency = (quota.currency_id if quota else None) or default_currency
    converter = converters[currency]
    booked, missing = converter.total(per_currency)
    ratio = attainment(booked, quota.amount) if quota else None
    return QuotaLine(person, quota, booked, currency, ratio, missing)


# ---------------------------------------------------------------------------------------------
# Home


def _bookings_quota(quota_qs: QuerySet[Quota]) -> dict[int, Quota]:
    """person id → their bookings quota (the money one) among `quota_qs`."""
    result: dict[int, Quota] = {}
    for quota in quota_qs.filter(measure="bookings"):
        result.setdefault(quota.person_id, quota)
    return result


def home_figures(*, viewer: Viewer) -> dict[str, object]:
    """The figures of the viewer's home page, by role. Every number comes from the database."""
    today = org_selectors.today()
    role = role_of(viewer)
    me = org_selectors.get_viewer_person(viewer=viewer)
    figures: dict[str, object] = {"role": role, "me": me, "today": today}
    if role is None or role is Role.REFERRAL_PARTNER:
        return {**figures, "kind": "partner"}
    year = org_selectors.get_period_containing(on=today, kind="year")
    quarter = org_selectors.get_period_containing(on=today, kind="quarter")
    figures |= {"fiscal_year": year, "quarter": quarter}
    if role in SEE_ALL_ROLES:
        return {**figures, "kind": "company", **_company_figures(viewer, today, year, quarter)}
    if role is Role.MANAGER:
        return {**figures, "kind": "manager", **_manager_figures(viewer, me, today, year, quarter)}
    return {**figures, "kind": "rep", **_rep_figures(viewer, me, today, year, quarter)}


def _year_range(year: Period | None, today: date) -> tuple[date, date]:
    return (year.start_on, year.end_on) if year else (date(today.year, 1, 1), today)


def _rep_figures(
    viewer: Viewer, me: Person | None, today: date, year: Period | None, quarter: Period | None
) -> dict[str, object]:
    if me is None:
        return {"bookings_by_currency": {}, "line": None, "recent": []}
    start, end = _year_range(year, today)
    year_bookings = credited_bookings(viewer=viewer, start_on=start, end_on=end)
    line = None
    if quarter is not None:
        quota = _bookings_quota(
            quota_selectors.list_quotas(viewer=viewer, period_key=quarter.key, person_id=me.pk)
        ).get(me.pk)
        q_bookings = credited_bookings(
            viewer=viewer, start_on=quarter.start_on, end_on=quarter.end_on
        )
        currency = (quota.currency_id if quota else None) or me.currency
        converter = Converter(viewer=viewer, quote_currency=currency, on=min(today, quarter.end_on))
        line = _quota_line(
            person=me,
            quota=quota,
            per_currency=q_bookings.for_people({me.pk}),
            converters={currency: converter},
            default_currency=currency,
        )
    deals = list(year_bookings.by_person.get(me.pk, {}).items())
    return {
        "bookings_by_currency": dict(sorted(deals)),
        "line": line,
        "recent": list(sales_selectors.list_transactions(viewer=viewer)[:RECENT_DEALS]),
    }


def _manager_figures(
    viewer: Viewer, me: Person | None, today: date, year: Period | None, quarter: Period | None
) -> dict[str, object]:
    start, end = _year_range(year, today)
    team_ids = org_selectors.visible_person_ids(viewer=viewer) or set()
    year_bookings = credited_bookings(viewer=viewer, start_on=start, end_on=end)
    reports = list(org_selectors.list_direct_reports(manager_id=me.pk, on=today)) if me else []
    lines: list[QuotaLine] = []
    team_line = None
    if quarter is not None and me is not None:
        q_bookings = credited_bookings(
            viewer=viewer, start_on=quarter.start_on, end_on=quarter.end_on
        )
        quotas = _bookings_quota(quota_selectors.list_quotas(viewer=viewer, period_key=quarter.key))
        children: dict[int, list[int]] = defaultdict(list)
        for person_id, boss_id in org_selectors.manager_map(on=today).items():
            children[boss_id].append(person_id)

        def below(person_id: int) -> set[int]:
            found, stack = {person_id}, list(children.get(person_id, []))
            while stack:
                current = stack.pop()
                if current not in found:
                    found.add(current)
                    stack.extend(children.get(current, []))
            return found

        currency = me.currency
        on = min(today, quarter.end_on)
        converters: dict[str, Converter] = {}
        for code in {currency, *(r.currency for r in reports)} | {
            q.currency_id for q in quotas.values() if q.currency_id is not None
        }:
            converters[code] = Converter(viewer=viewer, quote_currency=code, on=on)
        for report in reports:
            lines.append(
                _quota_line(
                    person=report,
                    quota=quotas.get(report.pk),
                    per_currency=q_bookings.for_people(below(report.pk) & team_ids),
                    converters=converters,
                    default_currency=report.currency,
                )
            )
        team_quota = sum(
            (
                quotas[r.pk].amount
                for r in reports
                if r.pk in quotas and quotas[r.pk].currency_id == currency
            ),
            Decimal(0),
        )
        team_booked, missing = converters[currency].total(q_bookings.for_people(team_ids))
        team_line = {
            "quota": team_quota,
            "bookings": team_booked,
            "currency": currency,
            "attainment": attainment(team_booked, team_quota),
            "unconverted": missing,
        }
    return {
        "team_size": len(team_ids - ({me.pk} if me else set())),
        "bookings_by_currency": year_bookings.for_people(team_ids),
        "report_lines": lines,
        "team_line": team_line,
        "recent": list(sales_selectors.list_transactions(viewer=viewer)[:RECENT_DEALS]),
    }


def _company_figures(
    viewer: Viewer, today: date, year: Period | None, quarter: Period | None
) -> dict[str, object]:
    start, end = _year_range(year, today)
    bookings = list(
        sales_selectors.list_transactions(viewer=viewer, booked_from=start, booked_to=end)
        .exclude(status__in=_NOT_BOOKED)
        .values("currency_id")
        .annotate(total=Sum("amount"), deals=Count("id"))
        .order_by("currency_id")
    )
    quota_totals: list[dict[str, Any]] = []
    if quarter is not None:
        quota_totals = list(
            quota_selectors.list_quotas(viewer=viewer, period_key=quarter.key)
            .values("currency_id", "measure")
            .annotate(total=Sum("amount"), people=Count("person_id"))
            .order_by("measure", "currency_id")
        )
    open_periods = [
        p for p in org_selectors.list_periods() if not p.is_closed and p.start_on <= today
    ]
    return {
        "bookings": bookings,
        "deal_count": sum(row["deals"] for row in bookings),
        "people_count": org_selectors.list_people(viewer=viewer, active_on=today).count(),
        "account_count": sales_selectors.list_accounts(viewer=viewer).count(),
        "territory_count": territory_selectors.list_territories(viewer=viewer).count(),
        "quota_totals": quota_totals,
        "open_periods": [p for p in open_periods if p.kind != "month"],
        "open_month_count": sum(1 for p in open_periods if p.kind == "month"),
    }


# ---------------------------------------------------------------------------------------------
# Person and account pages


def person_page(*, viewer: Viewer, person_id: int) -> dict[str, object]:
    """Everything the person page shows, limited to what the viewer may see."""
    person = org_selectors.get_person(viewer=viewer, person_id=person_id)
    today = org_selectors.today()
    visible = org_selectors.visible_person_ids(viewer=viewer)
    chain = org_selectors.list_manager_chain(person_id=person.pk, on=today)
    reports = [
        p
        for p in org_selectors.list_direct_reports(manager_id=person.pk, on=today)
        if visible is None or p.pk in visible
    ]
    history = list(
        org_selectors.list_reporting_lines(viewer=viewer)
        .filter(person_id=person.pk)
        .order_by("-effective_from")
    )
    memberships = list(
        org_selectors.list_team_memberships(viewer=viewer)
        .filter(person_id=person.pk)
        .order_by("-effective_from")
    )
    quotas = list(quota_selectors.list_quotas(viewer=viewer, person_id=person.pk))
    recent = list(
        sales_selectors.list_transactions(viewer=viewer, person_id=person.pk)[:RECENT_DEALS]
    )
    return {
        "person": person,
        "today": today,
        "chain": [(p, visible is None or p.pk in visible) for p in chain],
        "reports": reports,
        "reporting_history": history,
        "memberships": memberships,
        "quotas": quotas,
        "recent": recent,
    }


def account_page(*, viewer: Viewer, account_id: int) -> dict[str, object]:
    account = sales_selectors.get_account(viewer=viewer, account_id=account_id)
    territory = territory_selectors.match_territories(accounts=[account])[account.pk]
    transactions = list(
        sales_selectors.list_transactions(viewer=viewer).filter(account_id=account.pk)[:25]
    )
    return {"account": account, "territory": territory, "transactions": transactions}


# ---------------------------------------------------------------------------------------------
# Audit

_LABEL_FIELDS = ("external_id", "code", "key", "sku", "name")
_OUR_APPS = ("core", "org", "sales", "territories", "quotas")
_SKIP_FIELDS = {"created_at", "updated_at"}


def audited_models() -> list[type[Model]]:
    """Our models that keep a django-simple-history table, in a stable order."""
    found = [
        model
        for model in apps.get_models()
        if model._meta.app_label in _OUR_APPS
        and not model.__name__.startswith("Historical")
        and hasattr(model, "history")
    ]
    return sorted(found, key=lambda m: m._meta.label)


@dataclass
class AuditEntry:
    """One change: when, who, which object, created (+), changed (~) or deleted (-), and how."""

    at: datetime
    user: User | None
    model_label: str
    model_name: str
    object_id: Any
    object_label: str
    change: str
    changes: list[tuple[str, Any, Any]]
    history_id: int


@dataclass
class AuditPage:
    entries: list[AuditEntry]
    number: int
    has_next: bool
    has_previous: bool


def _label(record: Any, model: type[Model]) -> str:
    names = {f.name for f in model._meta.concrete_fields}
    for name in _LABEL_FIELDS:
        value: object = getattr(record, name, None) if name in names else None
        if value:
            return str(value)
    return f"#{getattr(record, model._meta.pk.attname)}"


def list_audit_entries(
    *,
    viewer: Viewer,
    model_label: str = "",
    user_id: int | None = None,
    page: int = 1,
    page_size: int = 50,
) -> AuditPage:
    """Recent changes across every history table, newest first, for administrators only.

    Per model: one query for the newest rows (each annotated with the id of its previous
    version) and one for those previous versions, so the diff needs no query per row.
    """
    if role_of(viewer) is not Role.ADMINISTRATOR:
        raise PermissionDenied("Only administrators see the audit history.")
    page = max(page, 1)
    wanted = page * page_size + 1
    models = [m for m in audited_models() if not model_label or m._meta.label == model_label]
    candidates: list[tuple[Any, type[Model]]] = []
    for model in models:
        history = model.history.model  # type: ignore[attr-defined]
        key = model._meta.pk.attname
        previous = history.objects.filter(
            **{key: OuterRef(key), "history_date__lt": OuterRef("history_date")}
        ).order_by("-history_date", "-history_id")
        qs = history.objects.select_related("history_user").annotate(
            previous_id=Subquery(previous.values("history_id")[:1])
        )
        if user_id is not None:
            qs = qs.filter(history_user_id=user_id)
        candidates.extend(
            (record, model) for record in qs.order_by("-history_date", "-history_id")[:wanted]
        )
    candidates.sort(key=lambda pair: (pair[0].history_date, pair[0].history_id), reverse=True)
    start = (page - 1) * page_size
    shown = candidates[start : start + page_size]
    previous_ids: dict[type[Model], list[int]] = defaultdict(list)
    for record, model in shown:
        if record.history_type == "~" and record.previous_id is not None:
            previous_ids[model].append(record.previous_id)
    previous_records: dict[tuple[type[Model], int], Any] = {}
    for model, ids in previous_ids.items():
        for old in model.history.model.objects.filter(history_id__in=ids):  # type: ignore[attr-defined]
            previous_records[(model, old.history_id)] = old
    entries = []
    for record, model in shown:
        changes: list[tuple[str, Any, Any]] = []
        old = previous_records.get((model, record.previous_id))
        if old is not None:
            delta = record.diff_against(old, excluded_fields=_SKIP_FIELDS)
            changes = [(c.field, c.old, c.new) for c in delta.changes]
        entries.append(
            AuditEntry(
                at=record.history_date,
                user=record.history_user,
                model_label=model._meta.label,
                model_name=str(model._meta.verbose_name),
                object_id=getattr(record, model._meta.pk.attname),
                object_label=_label(record, model),
                change=record.history_type,
                changes=changes,
                history_id=record.history_id,
            )
        )
    return AuditPage(
        entries=entries,
        number=page,
        has_next=len(candidates) > start + page_size,
        has_previous=page > 1,
    )


def list_audit_users() -> list[User]:
    """Logins that may appear as the author of a change."""
    return list(User.objects.order_by("username"))
