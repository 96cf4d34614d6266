"""Generate the demo company, or clear it first. Both run in one transaction.

The generator writes with `bulk_create` in batches (no per-row saves): reference data gets its
audit history rows in bulk too, the high-volume tables (accounts, transactions, FX rates) none.
Plans go through the plans services, as a comp admin and an administrator would; the last eight
quarters are calculated, approved, published and closed, and disputes and adjustments made,
through the comp services as the demo logins (`generate/runs.py`, `generate/disputes.py`).
Then the referral programs (`referrals.services.demo`): the employees' released rewards are
posted to the comp ledger, into the current quarter.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.apps import apps
from django.db import connection, models, transaction
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from openspm.comp import archive
from openspm.comp.models import CalcRun
from openspm.core.errors import OpenSPMError
from openspm.core.models import User
from openspm.demo.generate.accounts import make_accounts
from openspm.demo.generate.base import Options, Progress
from openspm.demo.generate.disputes import (
    acknowledge_statements,
    make_adjustments,
    make_disputes,
    no_email,
)
from openspm.demo.generate.logins import DEMO_USERNAMES, Login, make_logins
from openspm.demo.generate.people import build_org, save_org
from openspm.demo.generate.plans import make_plans
from openspm.demo.generate.quotas import make_quotas
from openspm.demo.generate.reference import make_calendar, make_currencies, make_products
from openspm.demo.generate.runs import pay_quarters
from openspm.demo.generate.territories import make_territories
from openspm.demo.generate.transactions import make_transactions
from openspm.org import selectors as org_selectors
from openspm.org.models import Period, Person, ReportingLine, Team, TeamMembership
from openspm.plans.models import Plan
from openspm.quotas.models import Quota
from openspm.referrals.models import Program, RateCounter
from openspm.referrals.services import demo as referrals_demo
from openspm.referrals.tasks import run_referral_housekeeping
from openspm.sales.models import Account, FxRate, ProductFamily, Transaction
from openspm.territories.models import Territory

# The tables `--reset` empties (and, through foreign keys, whatever refers to them), named as
# the refusal message names them. Currencies, the fiscal calendar and its periods are kept: they
# are configuration, and generation reuses them (closed periods are reopened).
DEMO_MODELS: dict[type[models.Model], str] = {
    CalcRun: "calc runs",
    Transaction: "transactions",
    Quota: "quotas",
    Account: "accounts",
    ProductFamily: "product families",
    FxRate: "FX rates",
    Territory: "territories",
    TeamMembership: "team memberships",
    Team: "teams",
    ReportingLine: "reporting lines",
    Person: "people",
    Plan: "plans",
    Program: "referral programs",
}


class DemoDataPresent(OpenSPMError):
    """The database already holds data: the demo company is only generated into an empty one."""

    status = 409
    code = "demo_data_present"


@dataclass(frozen=True)
class DemoResult:
    logins: list[Login]
    counts: dict[str, int]


def existing_data() -> list[str]:
    """What makes the database non-empty for the demo: tables with rows, demo usernames taken."""
    counts = {label: m._default_manager.count() for m, label in DEMO_MODELS.items()}
    taken = User.objects.filter(username__in=DEMO_USERNAMES).values_list("username", flat=True)
    return [f"{n:,} {label}" for label, n in counts.items() if n] + [
        f"login {name!r}" for name in taken
    ]


def load_demo(
    *,
    seed: int,
    scale: Decimal,
    as_of: date | None = None,
    reset: bool,
    progress: Progress,
    pay: bool = True,
) -> DemoResult:
    """Generate the demo company (deterministic for a seed, scale and day) in one transaction.

    Without `reset`, refuses to touch a database that already holds people, sales data, runs or
    the demo logins; with it, empties the demo tables first (demo logins are reset in place).
    With `pay` (the default), the last eight quarters are run and paid, with disputes and
    adjustments (their e-mail notifications are dropped), and the referral programs made, the
    employees' rewards posted to the comp ledger.
    """
    with no_email():
        return _load_demo(
            seed=seed, scale=scale, as_of=as_of, reset=reset, progress=progress, pay=pay
        )


@transaction.atomic
def _load_demo(
    *, seed: int, scale: Decimal, as_of: date | None, reset: bool, progress: Progress, pay: bool
) -> DemoResult:
    if reset:
        progress("deleted rows", clear_demo_data())
    elif present := existing_data():
        raise DemoDataPresent(
            "The database is not empty (" + ", ".join(present) + "). "
            "Run `openspm demo --reset` to delete this data and generate the demo company, "
            "or point OPENSPM_DATA_DIR / DATABASE_URL at an empty database.",
            detail=present,
        )
    counts: dict[str, int] = {}

    def count(step: str, n: int) -> None:
        counts[step] = n
        progress(step, n)

    calendar = org_selectors.get_calendar()
    options = Options(
        seed=seed,
        scale=scale,
        as_of=as_of or org_selectors.today(),
        fiscal_start_month=calendar.start_month,
    )
    periods = make_calendar(options, count)
    make_currencies(options, count)
    catalogue = make_products(count)
    org = build_org(options)
    save_org(org, count)
    coverage = make_territories(options, org, count)
    accounts = make_accounts(options, org, coverage, count)
    volume = make_transactions(options, org, coverage, accounts, catalogue, count)
    make_quotas(options, org, periods, volume, count)
    logins = make_logins(org)
    count("logins", len(logins))
    make_plans(options, count)
    if pay:
        paid = pay_quarters(options, count)
        make_disputes(paid, count)
        make_adjustments(paid, count)
        acknowledge_statements(paid, count)
        count("referrals", referrals_demo.load(seed=seed, today=options.as_of).referrals)
    return DemoResult(logins=logins, counts=counts)


def _tables_to_clear() -> list[type[models.Model]]:
    """The demo models, every model that refers to one of them, and their history tables;
    referrers first."""
    chosen: list[type[models.Model]] = list(DEMO_MODELS)
    every = [m for m in apps.get_models() if m.__module__.startswith("openspm.")]
    refers: dict[type[models.Model], set[type[models.Model]]] = defaultdict(set)
    for model in every:
        for f in model._meta.concrete_fields:
            if f.is_relation and f.related_model is not None and f.related_model is not model:
                refers[model].add(f.related_model)  # type: ignore[arg-type]
    grew = True
    while grew:
        grew = False
        for model in every:
            if model not in chosen and refers[model] & set(chosen):
                chosen.append(model)
                grew = True
    for model in list(chosen):
        history = getattr(model, "history", None)
        if history is not None and history.model not in chosen:
            chosen.append(history.model)
    ordered: list[type[models.Model]] = []
    pending = list(chosen)
    while pending:
        ready = [m for m in pending if not any(m in refers[o] for o in pending if o is not m)]
        for model in ready or pending[:1]:
            ordered.append(model)
            pending.remove(model)
    return ordered


def clear_demo_data() -> int:
    """Empty the demo tables in one statement each (no per-row signals), delete the runs'
    archives and reopen closed periods (their results are gone); returns rows deleted."""
    deleted = 0
    existing = set(connection.introspection.table_names())
    if CalcRun._meta.db_table in existing:
        for run_id in CalcRun.objects.values_list("pk", flat=True).iterator():
            archive.delete_archive(run_id)
    if Period._meta.db_table in existing:
        Period.objects.filter(status=Period.Status.CLOSED).update(
            status=Period.Status.OPEN, closed_at=None, closed_by=None
        )
    with connection.cursor() as cursor:
        for model in _tables_to_clear():
            if model._meta.db_table not in existing:  # an app whose migrations have not run
                continue
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
            deleted += max(0, cursor.rowcount)
    return deleted + _clear_queued_work(existing)


def _clear_queued_work(existing: set[str]) -> int:
    """Jobs the demo's services queued (runs, referral messages and reward computations) and
    the rate limiter's counters name rows just deleted: a worker would run jobs for runs and
    programs that no longer exist, and a new referrer reusing an id would inherit a count.
    Housekeeping's daily job stays: it reschedules itself and names no row."""
    deleted = 0
    if DBTaskResult._meta.db_table in existing:
        jobs = DBTaskResult.objects.filter(task_path__startswith="openspm.").exclude(
            task_path=run_referral_housekeeping.module_path
        )
        deleted += jobs.exclude(status=TaskResultStatus.RUNNING).delete()[0]
    if RateCounter._meta.db_table in existing:
        deleted += RateCounter.objects.all().delete()[0]
    return deleted
