"""Pages: the approvals queue and a run's approval, adjustments, period close, exports."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_POST

from openspm.comp.models import Adjustment, CalcRun
from openspm.comp.selectors import payouts as selectors
from openspm.comp.selectors import runs as run_selectors
from openspm.comp.services import adjustments, approvals, close, exports
from openspm.core.access import can_edit, require_internal
from openspm.core.errors import NotFound, OpenSPMError, PermissionDenied
from openspm.org import selectors as org_selectors


class AdjustmentForm(forms.Form):
    person = forms.CharField(label="Payee (external id)", max_length=64)
    period = forms.CharField(label="Period", max_length=16)
    amount = forms.DecimalField(max_digits=15, decimal_places=4)
    currency = forms.CharField(max_length=3, initial="USD")
    reason_code = forms.ChoiceField(label="Reason", choices=Adjustment.Reason.choices)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class FilterForm(forms.Form):
    period = forms.CharField(required=False, max_length=16)
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *Adjustment.Status.choices]
    )
    source = forms.ChoiceField(
        required=False, choices=[("", "Any source"), *Adjustment.Source.choices]
    )
    reason_code = forms.ChoiceField(
        required=False, choices=[("", "Any reason"), *Adjustment.Reason.choices]
    )


def _require_approver_page(request: HttpRequest) -> None:
    require_internal(request.user)
    if not run_selectors.sees_runs(request.user):
        raise PermissionDenied("This page is for administrators, comp admins and finance.")


def _flash(request: HttpRequest, error: OpenSPMError) -> None:
    """Expected refusals go back to the page as a message; a hidden row stays a 404 and a
    role that may not act gets the 403 page."""
    if error.status in (403, 404):
        raise error
    messages.error(request, error.message)


# --- run approvals --------------------------------------------------------------------------


@login_required
def approval_queue(request: HttpRequest) -> HttpResponse:
    _require_approver_page(request)
    queue = list(selectors.list_approval_queue(viewer=request.user))
    return render(
        request,
        "comp/payouts/approvals.html",
        {
            "runs": queue,
            "unsubmitted": list(selectors.list_unsubmitted_runs(viewer=request.user)[:50]),
            "can_submit": can_edit(request.user),
        },
    )


@login_required
def run_approval(request: HttpRequest, run_id: int) -> HttpResponse:
    require_internal(request.user)
    run = run_selectors.get_run(viewer=request.user, run_id=run_id)
    step = approvals.next_step(run)
    state = close.recalculation_state(run)
    return render(
        request,
        "comp/payouts/run_approval.html",
        {
            "run": run,
            "steps": selectors.list_steps(run=run),
            "can_submit": can_edit(request.user)
            and run.status == CalcRun.Status.SUCCEEDED
            and run.approval == CalcRun.Approval.NONE
            and not run.period.is_closed,
            "can_decide": step is not None and approvals.may_decide_step(request.user, step),
            "recalculation": state,
            "published": run_selectors.get_published_run(period=run.period),
            "retro": list(
                selectors.list_adjustments(viewer=request.user, source="retro").filter(run=run)
            ),
        },
    )


@login_required
@require_POST
def submit_run(request: HttpRequest, run_id: int) -> HttpResponse:
    require_internal(request.user)
    run = run_selectors.get_run(viewer=request.user, run_id=run_id)
    try:
        approvals.submit_run(actor=request.user, run_id=run.pk)
    except OpenSPMError as error:
        _flash(request, error)
    else:
        messages.success(request, f"Run {run.pk} is waiting for comp admin review.")
    return redirect("comp:run_approval", run_id=run.pk)


@login_required
@require_POST
def decide_run(request: HttpRequest, run_id: int) -> HttpResponse:
    require_internal(request.user)
    run = run_selectors.get_run(viewer=request.user, run_id=run_id)
    comment = request.POST.get("comment", "")
    try:
        if "approve" in request.POST:
            run = approvals.approve_run(actor=request.user, run_id=run.pk, comment=comment)
            done = "published" if run.approval == "approved" else "approved this step of"
            messages.success(request, f"You {done} run {run.pk}.")
        else:
            approvals.reject_run(actor=request.user, run_id=run.pk, comment=comment)
            messages.success(request, f"Run {run.pk} was rejected.")
    except OpenSPMError as error:
        _flash(request, error)
    return redirect("comp:run_approval", run_id=run.pk)


@login_required
@require_POST
def post_differences(request: HttpRequest, run_id: int) -> HttpResponse:
    require_internal(request.user)
    run = run_selectors.get_run(viewer=request.user, run_id=run_id)
    try:
        posted = close.post_retro_adjustments(actor=request.user, run_id=run.pk)
    except OpenSPMError as error:
        _flash(request, error)
    else:
        if posted:
            messages.success(
                request,
                f"Posted {len(posted)} difference{'s' if len(posted) != 1 else ''} "
                f"into {posted[0].period.key}.",
            )
        else:
            messages.info(request, "The recalculation pays exactly what was published.")
    return redirect("comp:run_approval", run_id=run.pk)


# --- adjustments ----------------------------------------------------------------------------


@login_required
def adjustment_list(request: HttpRequest) -> HttpResponse:
    require_internal(request.user)
    editor = can_edit(request.user)
    form = AdjustmentForm(request.POST or None)
    if request.method == "POST":
        if not editor:
            raise PermissionDenied("Only administrators and comp admins create adjustments.")
        if form.is_valid():
            data = form.cleaned_data
            person = (
                org_selectors.list_people(viewer=request.user)
                .filter(external_id=data["person"])
                .first()
            )
            try:
                if person is None:
                    raise NotFound(f"No payee {data['person']!r}.")
                period = org_selectors.get_period(key=data["period"])
                created = adjustments.create_adjustment(
                    actor=request.user,
                    person=person,
                    period=period,
                    amount=Decimal(data["amount"]),
                    currency=data["currency"].upper(),
                    reason_code=data["reason_code"],
                    description=data["description"],
                )
            except OpenSPMError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, "Adjustment created; someone else must approve it.")
                return redirect("comp:adjustment", adjustment_id=created.pk)
    filters = FilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    rows = selectors.list_adjustments(
        viewer=request.user,
        period_key=chosen.get("period", ""),
        status=chosen.get("status", ""),
        source=chosen.get("source", ""),
        reason_code=chosen.get("reason_code", ""),
    )
    return render(
        request,
        "comp/payouts/adjustments.html",
        {
            "adjustments": list(rows[:500]),
            "filters": filters,
            "form": form,
            "can_create": editor,
        },
    )


@login_required
def adjustment_detail(request: HttpRequest, adjustment_id: int) -> HttpResponse:
    require_internal(request.user)
    adjustment = selectors.get_adjustment(viewer=request.user, adjustment_id=adjustment_id)
    return render(
        request,
        "comp/payouts/adjustment.html",
        {
            "adjustment": adjustment,
            "can_decide": run_selectors.sees_runs(request.user)
            and adjustment.status == Adjustment.Status.PENDING
            and adjustment.created_by_id != request.user.pk,
        },
    )


@login_required
@require_POST
def decide_adjustment(request: HttpRequest, adjustment_id: int) -> HttpResponse:
    require_internal(request.user)
    adjustment = selectors.get_adjustment(viewer=request.user, adjustment_id=adjustment_id)
    try:
        decided = adjustments.decide_adjustment(
            actor=request.user,
            adjustment_id=adjustment.pk,
            approve="approve" in request.POST,
            comment=request.POST.get("comment", ""),
        )
    except OpenSPMError as error:
        _flash(request, error)
    else:
        messages.success(request, f"Adjustment {decided.get_status_display().lower()}.")
    return redirect("comp:adjustment", adjustment_id=adjustment.pk)


# --- period close ---------------------------------------------------------------------------


@login_required
def close_list(request: HttpRequest) -> HttpResponse:
    _require_approver_page(request)
    periods = list(selectors.list_close_periods(viewer=request.user))
    ids = [p.pk for p in periods]
    published = selectors.published_run_ids(period_ids=ids)
    pending = selectors.pending_adjustment_counts(period_ids=ids)
    rows = [
        {"period": p, "published_run_id": published.get(p.pk), "pending": pending.get(p.pk, 0)}
        for p in periods
    ]
    return render(
        request,
        "comp/payouts/close.html",
        {"periods": periods, "rows": rows, "can_close": close.may_close(request.user)},
    )


@login_required
@require_POST
def close_period(request: HttpRequest, period_key: str) -> HttpResponse:
    require_internal(request.user)
    try:
        period = close.close_period(actor=request.user, period_key=period_key)
    except OpenSPMError as error:
        _flash(request, error)
    else:
        messages.success(request, f"{period.key} is closed: its published results are final.")
    return redirect("comp:close")


# --- exports --------------------------------------------------------------------------------


@login_required
def export_list(request: HttpRequest) -> HttpResponse:
    _require_approver_page(request)
    if not exports.may_export(request.user):
        raise PermissionDenied("Exports are for finance, comp admins and administrators.")
    periods = list(selectors.list_export_periods(viewer=request.user))
    key = request.GET.get("period") or (periods[0].key if periods else "")
    payroll: list[exports.PayrollRow] = []
    if key:
        try:
            payroll = exports.payroll_rows(viewer=request.user, period_key=key)
        except OpenSPMError as error:
            _flash(request, error)
    return render(
        request,
        "comp/payouts/exports.html",
        {
            "periods": periods,
            "period_key": key,
            "payroll": payroll,
            "kinds": exports.EXPORT_KINDS,
            "pay_delay_days": exports.PAY_DELAY_DAYS,
            "policy": exports.get_policy(),
        },
    )


@login_required
def export_download(request: HttpRequest, kind: str, period_key: str) -> HttpResponse:
    require_internal(request.user)
    if kind not in exports.EXPORT_KINDS:
        raise NotFound(f"No export {kind!r}.")
    text = exports.export_csv(viewer=request.user, kind=kind, period_key=period_key)
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}-{period_key}.csv"'
    return response


urlpatterns: list[URLPattern] = [
    path("approvals/", approval_queue, name="approvals"),
    path("runs/<int:run_id>/approval/", run_approval, name="run_approval"),
    path("runs/<int:run_id>/submit", submit_run, name="submit_run"),
    path("runs/<int:run_id>/decide", decide_run, name="decide_run"),
    path("runs/<int:run_id>/differences", post_differences, name="post_differences"),
    path("adjustments/", adjustment_list, name="adjustments"),
    path("adjustments/<int:adjustment_id>/", adjustment_detail, name="adjustment"),
    path("adjustments/<int:adjustment_id>/decide", decide_adjustment, name="decide_adjustment"),
    path("close/", close_list, name="close"),
    path("close/<str:period_key>", close_period, name="close_period"),
    path("exports/", export_list, name="exports"),
    path("exports/<str:kind>/<str:period_key>.csv", export_download, name="export"),
]
