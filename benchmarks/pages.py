"""Page benchmark: statement, line drill-down, PDF and "My pay" on the demo company, p50/p95.

Run ``python -m benchmarks.pages`` (``--requests 100``, ``--data-dir DIR`` to reuse a database).
Into a fresh data folder it migrates, generates the demo company (``openspm demo``), runs the
quarter before the current one and the current one through the calc service, and publishes
the earlier one through the approval service (comp admin, then finance). It then signs in as
the demo rep and as finance, and times N requests of each page with Django's test client
(in-process: no network, no server; the time is the view's, templates and queries included),
and prints milliseconds at the median and the 95th percentile, and the queries per request.
Target (issue 4): p95 ≤ 200 ms for the statement and My pay pages.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _setup(data_dir: Path) -> None:
    os.environ["OPENSPM_DATA_DIR"] = str(data_dir)  # noqa: TID251 - before settings load
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openspm.settings")  # noqa: TID251
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host, and template rendering signals


def _prepare(quiet: bool) -> dict[str, Any]:
    """Demo company, two runs (the earlier one published); returns the pages to time."""
    from django.core.management import call_command

    from openspm.comp.models import CalcRun, EarningLine
    from openspm.comp.services import approvals, calc
    from openspm.core.models import User
    from openspm.org import selectors as org_selectors
    from openspm.org.models import Period, Person

    call_command("migrate", verbosity=0)
    if not Person.objects.exists():
        call_command("demo", verbosity=0 if quiet else 1)
    users = {u.username: u for u in User.objects.all()}
    admin = next(u for u in users.values() if u.is_superuser)
    today = org_selectors.today()
    current = Period.objects.get(kind="quarter", start_on__lte=today, end_on__gte=today)
    previous = Period.objects.filter(kind="quarter", end_on__lt=current.start_on).last()
    if previous is None:
        raise SystemExit("the demo company has no quarter before the current one")
    published = CalcRun.objects.filter(period=previous, approval="approved").first()
    if published is None:
        run = calc.execute_run(
            run_id=calc.request_run(actor=admin, period_key=previous.key, trigger="cli").pk
        )
        if run.status != "succeeded":
            raise SystemExit(f"run of {previous.key} failed: {run.error}")
        approvals.submit_run(actor=admin, run_id=run.pk)
        approvals.approve_run(actor=_role_user("comp_admin"), run_id=run.pk)
        approvals.approve_run(actor=_role_user("finance"), run_id=run.pk)
        published = run
    if not CalcRun.objects.filter(period=current, status="succeeded").exists():
        calc.execute_run(
            run_id=calc.request_run(actor=admin, period_key=current.key, trigger="cli").pk
        )
    rep = Person.objects.filter(user__groups__name="rep").select_related("user").first()
    if rep is None or rep.user is None:
        raise SystemExit("the demo company has no rep login linked to a payee")
    lines = EarningLine.objects.filter(run=published, person=rep).order_by("-line_count", "pk")
    if not lines:
        raise SystemExit(f"the demo rep earned nothing in {previous.key}")
    return {
        "rep": rep.user,
        "finance": _role_user("finance"),
        "person_id": rep.pk,
        "period": previous.key,
        "lines": len(lines),
        "deal_lines": sum(line.line_count for line in lines),
        "line_id": lines[0].pk,  # the drill-down with the most deal lines
        "payees": EarningLine.objects.filter(run=published).values("person_id").distinct().count(),
    }


def _role_user(role: str) -> Any:
    from openspm.core.models import User

    user = User.objects.filter(groups__name=role, is_superuser=False).order_by("pk").first()
    if user is None:
        raise SystemExit(f"the demo company has no {role} login")
    return user


def _time(client: Any, url: str, n: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm: templates compiled, caches filled
    times, queries = [], 0
    for _ in range(n):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        queries = len(captured)
    times.sort()
    p95 = times[math.ceil(0.95 * len(times)) - 1]  # nearest rank
    return {
        "url": url,
        "requests": n,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(times[-1], 1),
        "queries": queries,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50, help="Requests per page (50).")
    parser.add_argument("--pdf-requests", type=int, default=10, help="PDF requests (10).")
    parser.add_argument("--data-dir", type=Path, default=None, help="Reuse this data folder.")
    parser.add_argument("--json", action="store_true", help="Print JSON.")
    args = parser.parse_args(argv)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="openspm-bench-pages-"))
    _setup(data_dir)
    from django.test import Client
    from django.urls import reverse

    started = time.perf_counter()
    ctx = _prepare(quiet=args.json)
    setup_seconds = time.perf_counter() - started
    rep, finance = Client(), Client()
    rep.force_login(ctx["rep"])
    finance.force_login(ctx["finance"])
    statement = reverse("comp:statement", args=[ctx["person_id"], ctx["period"]])
    results = {
        "statement (rep)": _time(rep, statement, args.requests),
        "statement (finance)": _time(finance, statement, args.requests),
        "statements list (finance)": _time(
            finance, reverse("comp:statements") + f"?period={ctx['period']}", args.requests
        ),
        "line drill-down (rep)": _time(
            rep, reverse("comp:statement_line", args=[ctx["line_id"]]), args.requests
        ),
        "my pay (rep)": _time(rep, reverse("comp:my_pay"), args.requests),
        "statement PDF (rep)": _time(
            rep,
            reverse("comp:statement_pdf", args=[ctx["person_id"], ctx["period"]]),
            args.pdf_requests,
        ),
    }
    summary = {
        "data_dir": str(data_dir),
        "setup_seconds": round(setup_seconds, 1),
        "period": ctx["period"],
        "rep_earning_lines": ctx["lines"],
        "rep_deal_lines": ctx["deal_lines"],
        "payees": ctx["payees"],
        "pages": results,
    }
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(
            f"demo company in {data_dir} (setup {summary['setup_seconds']} s); statement of "
            f"{ctx['period']}: {ctx['lines']} earning lines for the rep (summing "
            f"{ctx['deal_lines']} deal lines), {ctx['payees']} payees"
        )
        print(f"{'page':28} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8}")
        for name, r in results.items():
            print(
                f"{name:28} {r['requests']:>4} {r['p50_ms']:>8} {r['p95_ms']:>8} "
                f"{r['max_ms']:>8} {r['queries']:>8}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
