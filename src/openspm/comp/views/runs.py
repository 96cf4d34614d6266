"""Pages: calc runs (list, start, progress, retry, reproduce) and plan simulation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.views.decorators.http import require_POST

from openspm import engine
from openspm.comp.errors import NothingToRun, RunFailed, RunInProgress
from openspm.comp.models import CalcRun
from openspm.comp.selectors import runs as selectors
from openspm.comp.services import calc, schedule, simulate
from openspm.core.access import can_edit, require_internal
from openspm.core.errors import PermissionDenied
from openspm.plans import selectors as plan_selectors

REPRODUCED_TABLES = ("credits", "measures", "earnings", "payouts")


def _require_runs(request: HttpRequest) -> None:
    require_internal(request.user)
    if not selectors.sees_runs(request.user):
        raise PermissionDenied("Runs are for administrators, comp admins and finance.")


def statement_url(person_id: int, period_key: str) -> str:
    try:
        return reverse("comp:statement", args=[person_id, period_key])
    except NoReverseMatch:
        return f"/comp/statements/{person_id}/{period_key}/"


@login_required
def run_list(request: HttpRequest) -> HttpResponse:
    _require_runs(request)
    period_key = request.GET.get("period", "")
    return render(
        request,
        "comp/runs/run_list.html",
        {
            "runs": list(selectors.list_runs(viewer=request.user, period_key=period_key)[:200]),
            "periods": selectors.list_run_periods(),
            "period_key": period_key,
            "can_start": can_edit(request.user),
        },
    )


@login_required
@require_POST
def start_run(request: HttpRequest) -> HttpResponse:
    _require_runs(request)
    try:
        run = calc.request_run(
            actor=request.user, period_key=request.POST.get("period", ""), trigger="ui"
        )
    except RunInProgress as error:
        messages.error(request, error.message)
        return redirect(reverse("comp:runs") + f"?period={request.POST.get('period', '')}")
    messages.success(request, f"Run {run.pk} of {run.period.key} is queued.")
    return redirect("comp:run", run_id=run.pk)


@login_required
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    require_internal(request.user)
    run = selectors.get_run(viewer=request.user, run_id=run_id)
    if request.htmx and not request.htmx.boosted:  # type: ignore[attr-defined]
        response = render(request, "comp/runs/_progress.html", {"run": run})
        if not run.is_active:
            response["HX-Refresh"] = "true"  # the run ended: show its results
        return response
    return render(request, "comp/runs/run_detail.html", _detail(request, run))


def _detail(request: HttpRequest, run: CalcRun) -> dict[str, object]:
    payees = selectors.list_payee_totals(viewer=request.user, run_id=run.pk)
    return {
        "run": run,
        "payees": list(
            zip(payees, [statement_url(p.person_id, run.period.key) for p in payees], strict=True)
        ),
        "totals": selectors.list_currency_totals(viewer=request.user, run_id=run.pk),
        "can_start": can_edit(request.user),
    }


@login_required
@require_POST
def retry_run(request: HttpRequest, run_id: int) -> HttpResponse:
    require_internal(request.user)
    try:
        run = schedule.retry_run(actor=request.user, run_id=run_id, trigger="ui")
    except RunInProgress as error:
        messages.error(request, error.message)
        return redirect("comp:run", run_id=run_id)
    messages.success(request, f"Run {run.pk} of {run.period.key} is queued.")
    return redirect("comp:run", run_id=run.pk)


@login_required
@require_POST
def reproduce_run(request: HttpRequest, run_id: int) -> HttpResponse:
    require_internal(request.user)
    run = selectors.get_run(viewer=request.user, run_id=run_id)
    try:
        matched = calc.reproduce_run(run_id=run.pk)
        problem = ""
    except engine.EngineError as error:
        matched, problem = False, str(error)
    reproduced = {"matched": matched, "problem": problem, "tables": REPRODUCED_TABLES}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "comp/runs/_reproduce.html", {"run": run, **reproduced})
    return render(
        request, "comp/runs/run_detail.html", {**_detail(request, run), "reproduced": reproduced}
    )


@login_required
def simulate_version(request: HttpRequest, version_id: int) -> HttpResponse:
    _require_runs(request)
    version = plan_selectors.get_version(viewer=request.user, version_id=version_id)
    period_key = request.GET.get("period", "")
    result, problem = None, ""
    if period_key:
        try:
            result = simulate.simulate_version(
                actor=request.user, version_id=version.pk, period_key=period_key
            )
        except (RunFailed, NothingToRun) as error:  # the plan or the data: say what, here
            problem = error.message
    return render(
        request,
        "comp/runs/simulate.html",
        {
            "version": version,
            "periods": selectors.list_run_periods(),
            "period_key": period_key,
            "result": result,
            "problem": problem,
        },
    )


urlpatterns: list[URLPattern] = [
    path("runs/", run_list, name="runs"),
    path("runs/start", start_run, name="start_run"),
    path("runs/<int:run_id>/", run_detail, name="run"),
    path("runs/<int:run_id>/retry", retry_run, name="retry_run"),
    path("runs/<int:run_id>/reproduce", reproduce_run, name="reproduce_run"),
    path("simulate/<int:version_id>/", simulate_version, name="simulate"),
]
