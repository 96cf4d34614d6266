"""Reads behind the pages that span several apps: home figures, person and account pages, audit.

Sums of money here are for display only; amounts that are paid come from the engine.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Model, OuterRef, Q, QuerySet, Subquery, Sum

from openspm.core.access import Viewer, role_of
from openspm.core.errors import PermissionDenied
from openspm.core.models import User
from openspm.core.roles import SEE_ALL_ROLES, Role
from openspm.org import selectors as org_selectors
from openspm.org.models import Period, Person
from openspm.quotas import selectors as quota_selectors
from openspm.quotas.models import Quota
from openspm.sales import selectors as sales_selectors
from openspm.sales.models import CreditSplit, FxRate, Transaction
from openspm.territories import selectors as territory_selectors

# Statuses that take a deal out of bookings.
_NOT_BOOKED = (Transaction.Status.CANCELLED, Transaction.Status.REFUNDED)
RECENT_DEALS = 10


# ---------------------------------------------------------------------------------------------
# Credited bookings, FX and quota roll-ups


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


def credited_bookings(
    *, viewer: Viewer, ranges: dict[str, tuple[date, date]]
) -> dict[str, Bookings]:
    """Bookings credited to the payees the viewer sees, for each named [start, end] range.

    Two grouped queries for all ranges together, whatever the number of deals: deals without
    splits (credited to their owner), and splits (summed per share, then multiplied here).
    Sums in SQL are for display, as everywhere on the home page.
    """
    start_on = min(start for start, _ in ranges.values())
    end_on = max(end for _, end in ranges.values())
    # Visibility is the credited payee's being among `visible`, as in
    # sales_selectors.list_transactions, without its OR, which no index answers.
    visible = org_selectors.visible_person_ids(viewer=viewer)
    owned = (
        Transaction.objects.filter(booked_on__gte=start_on, booked_on__lte=end_on)
        .exclude(status__in=_NOT_BOOKED)
        .exclude(pk__in=CreditSplit.objects.values("transaction_id"))
    )
    splits = CreditSplit.objects.filter(
        transaction__booked_on__gte=start_on, transaction__booked_on__lte=end_on
    ).exclude(transaction__status__in=_NOT_BOOKED)
    if visible is not None:
        owned = owned.filter(owner_id__in=visible)
        splits = splits.filter(person_id__in=visible)
    owned_sums = owned.values("owner_id", "currency_id").annotate(
        **{
            name: Sum("amount", filter=Q(booked_on__gte=start, booked_on__lte=end))
            for name, (start, end) in ranges.items()
        }
    )
    split_sums = splits.values("person_id", "transaction__currency_id", "split_percent").annotate(
        **{
            name: Sum(
                "transaction__amount",
                filter=Q(transaction__booked_on__gte=start, transaction__booked_on__lte=end),
            )
            for name, (start, end) in ranges.items()
        }
    )
    totals: dict[str, dict[int, dict[str, Decimal]]] = {
        name: defaultdict(lambda: defaultdict(Decimal)) for name in ranges
    }
    for row in owned_sums.order_by():
        for name in ranges:
            if row[name] is not None:
                totals[name][row["owner_id"]][row["currency_id"]] += row[name]
    for row in split_sums.order_by():
        for name in ranges:
            if row[name] is not None:
                credit = row[name] * row["split_percent"] / 100
                totals[name][row["person_id"]][row["transaction__currency_id"]] += credit
    return {
        name: Bookings(by_person={k: dict(v) for k, v in per_person.items()})
        for name, per_person in totals.items()
    }


def recent_transactions(*, viewer: Viewer, today: date) -> list[Transaction]:
    """The viewer's latest deals; looks at the last 90 days first, which an index answers."""
    recent = sales_selectors.list_transactions(
        viewer=viewer, booked_from=today - timedelta(days=90)
    )[:RECENT_DEALS]
    return list(recent) or list(sales_selectors.list_transactions(viewer=viewer)[:RECENT_DEALS])


class Converter:
    """Converts money between currencies at the latest FX rates on or before `on`.

    One query loads the latest rate of every pair. A pair is used directly, inverted, or
    crossed through the base currency; with none of those the amount cannot be converted.
    """

    def __init__(self, *, viewer: Viewer, on: date) -> None:
        self.on = on
        self.base = settings.BASE_CURRENCY
        latest = Subquery(
            FxRate.objects.filter(
                currency_id=OuterRef("currency_id"),
                quote_currency_id=OuterRef("quote_currency_id"),
                rate_on__lte=on,
            )
            .order_by("-rate_on")
            .values("rate_on")[:1]
        )
        self._rates: dict[tuple[str, str], Decimal] = {
            (rate.currency_id, rate.quote_currency_id): rate.rate
            for rate in sales_selectors.list_fx_rates(viewer=viewer).filter(rate_on=latest)
        }

    def _pair(self, source: str, target: str) -> Decimal | None:
        if source == target:
            return Decimal(1)
        if (source, target) in self._rates:
            return self._rates[(source, target)]
        if (target, source) in self._rates:
            return Decimal(1) / self._rates[(target, source)]
        return None

    def rate(self, source: str, target: str) -> Decimal | None:
        direct = self._pair(source, target)
        if direct is not None:
            return direct
        to_base, from_base = self._pair(source, self.base), self._pair(self.base, target)
        return None if to_base is None or from_base is None else to_base * from_base

    def total(self, per_currency: dict[str, Decimal], target: str) -> tuple[Decimal, list[str]]:
        """The sum in `target`, and the currencies that could not be converted."""
        total, missing = Decimal(0), []
        for currency, amount in per_currency.items():
            rate = self.rate(currency, target)
            if rate is None:
                missing.append(currency)
            else:
                total += amount * rate
        return total, missing


def attainment(bookings: Decimal, quota: Decimal | None) -> Decimal | None:
    """Bookings ÷ quota as a ratio (1.25 = 125 %); None without a positive quota."""
    return bookings / quota if quota is not None and quota > 0 else None


@dataclass
class QuotaLine:
    """A payee's quota for a period (their own, or their team's rolled up), the bookings
    credited to them (and their team) in its currency, and the attainment."""

    person: Person
    quota_amount: Decimal | None
    is_rollup: bool
    bookings: Decimal
    currency: str
    attainment: Decimal | None
    unconverted: list[str]


class TeamQuotas:
    """The hierarchy below a manager as of a date, with each member's bookings quota."""

    def __init__(
        self, *, on: date, quotas: dict[int, Quota], converter: Converter, visible: set[int]
    ) -> None:
        self.children: dict[int, list[int]] = defaultdict(list)
        for person_id, boss_id in org_selectors.manager_map(on=on).items():
            if person_id in visible:
                self.children[boss_id].append(person_id)
        self.quotas = quotas
        self.converter = converter

    def below(self, person_id: int) -> set[int]:
        """The person and everyone under them."""
        found, stack = {person_id}, list(self.children.get(person_id, []))
        while stack:
            current = stack.pop()
            if current not in found:
                found.add(current)
                stack.extend(self.children.get(current, []))
        return found

    def quota(self, person_id: int, currency: str, _depth: int = 0) -> tuple[Decimal | None, bool]:
        """The person's own bookings quota in `currency`, or else the sum of their reports'
        (rolled up the same way); None when nobody below has one. True when rolled up."""
        own = self.quotas.get(person_id)
        if own is not None:
            rate = self.converter.rate(own.currency_id or currency, currency)
            return (own.amount * rate if rate is not None else None), False
        if _depth > 50:
            return None, True
        parts = [self.quota(c, currency, _depth + 1)[0] for c in self.children.get(person_id, [])]
        known = [part for part in parts if part is not None]
        return (sum(known, Decimal(0)) if known else None), True

    def line(self, person: Person, bookings: Bookings) -> QuotaLine:
        own = self.quotas.get(person.pk)
        currency = (own.currency_id if own else None) or person.currency
        quota, rolled_up = self.quota(person.pk, currency)
        booked, missing = self.converter.total(bookings.for_people(self.below(person.pk)), currency)
        return QuotaLine(
            person, quota, rolled_up, booked, currency, attainment(booked, quota), missing
        )


# ---------------------------------------------------------------------------------------------
# Home


def _bookings_quotas(quota_qs: QuerySet[Quota]) -> dict[int, Quota]:
    """person id → their bookings quota among `quota_qs`."""
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
    if me is None:
        return {**figures, "kind": "no_person"}
    kind = "manager" if role is Role.MANAGER else "rep"
    return {**figures, "kind": kind, **_payee_figures(viewer, me, today, year, quarter, kind)}


def _year_range(year: Period | None, today: date) -> tuple[date, date]:
    return (year.start_on, year.end_on) if year else (date(today.year, 1, 1), today)


def _payee_figures(
    viewer: Viewer,
    me: Person,
    today: date,
    year: Period | None,
    quarter: Period | None,
    kind: str,
) -> dict[str, object]:
    """A rep's own figures, or a manager's team totals and per-report table."""
    ranges = {"year": _year_range(year, today)}
    if quarter is not None:
        ranges["quarter"] = (quarter.start_on, quarter.end_on)
    bookings = credited_bookings(viewer=viewer, ranges=ranges)
    visible = org_selectors.visible_person_ids(viewer=viewer) or {me.pk}
    figures: dict[str, object] = {
        "bookings_by_currency": bookings["year"].for_people(visible),
        "recent": recent_transactions(viewer=viewer, today=today),
        "line": None,
        "report_lines": [],
        "team_size": len(visible - {me.pk}),
    }
    if quarter is None:
        return figures
    quotas = _bookings_quotas(quota_selectors.list_quotas(viewer=viewer, period_key=quarter.key))
    converter = Converter(viewer=viewer, on=min(today, quarter.end_on))
    team = TeamQuotas(on=today, quotas=quotas, converter=converter, visible=visible)
    if kind == "rep":
        figures["line"] = team.line(me, bookings["quarter"])
        return figures
    reports = [p for p in org_selectors.list_direct_reports(manager_id=me.pk, on=today)]
    figures["report_lines"] = [team.line(report, bookings["quarter"]) for report in reports]
    # The team line: what is credited to everyone below the manager, against their quotas.
    team.quotas = {k: v for k, v in quotas.items() if k != me.pk}
    figures["line"] = team.line(me, bookings["quarter"])
    return figures


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
