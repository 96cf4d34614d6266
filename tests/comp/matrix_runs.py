"""The runs endpoints in the role × endpoint matrix (merged by tests/comp/api_matrix.py).

Runs show every payee's pay at once: administrators, comp admins and finance see them, anyone
else gets an empty list and a 404 for a run; only administrators and comp admins start or
retry one (finance 403). Rows are made on first use by each entry (not in `prepare`, so the
other areas' lists do not see them): `runs` — `failed` (2026-M10, no plan); `sim_versions` —
`draft`, a draft of a plan `sim` assigned to nobody, simulated against 2026-Q1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from openspm.comp.models import CalcRun
from openspm.org.services import ensure_fiscal_year
from openspm.plans import services as plan_services
from tests.api.conftest import SEE_ALL, Company, call, client_for
from tests.api.matrix import Detail, Entry, Write, _expect
from tests.plans.factories import plan_text

C = "/api/v1/comp"


def _ensure(c: Company) -> None:
    if "runs" in c.rows:
        return
    periods = {p.key: p for p in ensure_fiscal_year(fiscal_year=2026)}
    failed = CalcRun.objects.create(
        period=periods["2026-M10"], status=CalcRun.Status.FAILED, error="No published plan."
    )
    c.add("runs", "failed", failed)
    draft = plan_services.create_plan(
        actor=c.users["compadmin"],
        code="sim",
        name="Simulated",
        text=plan_text("sim", rate="0.07"),
        effective_from=date(2026, 1, 1),
    )
    c.add("sim_versions", "draft", draft)


def _sees_runs(c: Company, role: str) -> set[str]:
    return set(c.rows["runs"]) if role in SEE_ALL else set()


@dataclass(frozen=True)
class Prepared:
    """Make this area's rows, then check `entry`."""

    entry: Entry

    def check(self, c: Company, role: str, method: str, path: str) -> list[str]:
        _ensure(c)
        return self.entry.check(c, role, method, path)


@dataclass(frozen=True)
class RunList:
    """GET the runs: every run to the roles that see runs, none to the others."""

    def check(self, c: Company, role: str, method: str, path: str) -> list[str]:
        _ensure(c)
        response = call(client_for(c, role), method, path + "?limit=1000")
        if role == "anonymous":
            return _expect(response, 401, role)
        problems = _expect(response, 200, role)
        if problems:
            return problems
        got = {item["id"] for item in response.data["items"]}
        want = set(CalcRun.objects.values_list("pk", flat=True)) if role in SEE_ALL else set()
        if got != want:
            return [f"{role}: saw runs {sorted(got)}, expected {sorted(want)}"]
        if role in SEE_ALL and c.rows["runs"]["failed"].pk not in got:
            return [f"{role}: the failed run is missing"]
        return []


MATRIX: dict[str, Entry] = {
    f"GET {C}/runs": RunList(),
    f"GET {C}/runs/{{run_id}}": Prepared(Detail("runs", _sees_runs)),
    f"POST {C}/runs": Prepared(
        Write(
            lambda c: {"period": "2026-M10"},
            201,
            expect_in_body={"period": "2026-M10", "trigger": "api", "status": "queued"},
        )
    ),
    f"POST {C}/runs/{{run_id}}/retry": Prepared(
        Write(
            lambda c: {},
            201,
            target=("runs", "failed"),
            visible=_sees_runs,
            expect_in_body={"period": "2026-M10", "trigger": "api", "status": "queued"},
        )
    ),
    f"POST {C}/simulations": Prepared(
        Write(
            lambda c: {"version_id": c.rows["sim_versions"]["draft"].pk, "period": "2026-Q1"},
            200,
            allowed=lambda role: role in SEE_ALL,
            expect_in_body={"period": "2026-Q1"},
        )
    ),
}
