"""Pages: disputes (inquiries about a statement line), their thread and their workflow."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_POST

from openspm.comp.models import Dispute
from openspm.comp.selectors import disputes as selectors
from openspm.comp.services import disputes as services
from openspm.core.access import require_internal
from openspm.core.errors import NotFound, OpenSPMError


class DisputeForm(forms.Form):
    category = forms.ChoiceField(choices=Dispute.Category.choices)
    subject = forms.CharField(max_length=200)
    body = forms.CharField(label="What is wrong?", widget=forms.Textarea(attrs={"rows": 4}))


class CommentForm(forms.Form):
    body = forms.CharField(label="Reply", widget=forms.Textarea(attrs={"rows": 3}))
    is_internal = forms.BooleanField(label="Internal note (hidden from the payee)", required=False)


class TransitionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in services.ACTIONS])
    resolution = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    amount = forms.DecimalField(required=False, max_digits=15, decimal_places=4)


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *Dispute.Status.choices]
    )
    assignee = forms.CharField(required=False)
    overdue = forms.ChoiceField(
        required=False, choices=[("", "Overdue or not"), ("yes", "Overdue"), ("no", "On time")]
    )


def _site(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _line_id(request: HttpRequest, key: str) -> int | None:
    value = request.GET.get(key, "")
    if not value:
        return None
    if not value.isdigit():
        raise NotFound("No such statement line.")
    return int(value)


def _flash(request: HttpRequest, error: OpenSPMError) -> None:
    """Refusals go back to the page as a message; hidden rows and denied roles stay 404/403."""
    if error.status in (403, 404):
        raise error
    messages.error(request, error.message)


@login_required
def dispute_list(request: HttpRequest) -> HttpResponse:
    require_internal(request.user)
    filters = FilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    assignee = chosen.get("assignee", "")
    overdue = {"yes": True, "no": False}.get(chosen.get("overdue", ""))
    disputes = selectors.list_disputes(
        viewer=request.user,
        status=chosen.get("status", ""),
        assignee_id=request.user.pk
        if assignee == "me"
        else int(assignee)
        if assignee.isdigit()
        else None,
        unassigned=assignee == "none",
        overdue=overdue,
    )
    return render(
        request,
        "comp/disputes/list.html",
        {
            "disputes": list(disputes[:500]),
            "filters": filters,
            "assignee": assignee,
            "handlers": selectors.list_handlers()
            if selectors.handles_disputes(request.user)
            else [],
            "sla_days": services.SLA_BUSINESS_DAYS,
        },
    )


@login_required
def dispute_new(request: HttpRequest) -> HttpResponse:
    require_internal(request.user)
    earning_line_id = _line_id(request, "earning_line")
    payout_line_id = _line_id(request, "payout_line")
    line = selectors.get_disputable_line(
        viewer=request.user, earning_line_id=earning_line_id, payout_line_id=payout_line_id
    )
    form = DisputeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            dispute = services.open_dispute(
                actor=request.user,
                earning_line_id=earning_line_id,
                payout_line_id=payout_line_id,
                site_url=_site(request),
                **form.cleaned_data,
            )
        except OpenSPMError as error:
            if error.status in (403, 404):
                raise
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Inquiry {dispute.pk} opened; comp admins were told.")
            return redirect("comp:dispute", dispute_id=dispute.pk)
    trace = selectors.line_trace(line)
    return render(
        request,
        "comp/disputes/new.html",
        {
            "form": form,
            "line": line,
            "trace_rows": selectors.trace_rows(trace),
            "line_amount": line.amount,
            "line_currency": line.currency,
        },
    )


@login_required
def dispute_detail(request: HttpRequest, dispute_id: int) -> HttpResponse:
    require_internal(request.user)
    dispute = selectors.get_dispute(viewer=request.user, dispute_id=dispute_id)
    is_open = dispute.status in selectors.OPEN_STATUSES
    handles = selectors.handles_disputes(request.user)
    comment_form = CommentForm()
    if not selectors.sees_internal_comments(request.user):
        del comment_form.fields["is_internal"]
    return render(
        request,
        "comp/disputes/detail.html",
        {
            "dispute": dispute,
            "comments": selectors.list_comments(viewer=request.user, dispute=dispute),
            "trace_rows": selectors.trace_rows(dispute.trace),
            "line_amount": selectors.trace_amount(dispute),
            "line_currency": dispute.trace.get("currency", ""),
            "comment_form": comment_form if is_open else None,
            "can_take": handles and is_open and dispute.assignee_id != request.user.pk,
            "can_review": handles and dispute.status == Dispute.Status.OPEN,
            "can_decide": handles and dispute.status == Dispute.Status.IN_REVIEW,
        },
    )


@login_required
@require_POST
def dispute_comment(request: HttpRequest, dispute_id: int) -> HttpResponse:
    require_internal(request.user)
    dispute = selectors.get_dispute(viewer=request.user, dispute_id=dispute_id)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write something.")
        return redirect("comp:dispute", dispute_id=dispute.pk)
    try:
        services.comment_on_dispute(
            actor=request.user,
            dispute_id=dispute.pk,
            body=form.cleaned_data["body"],
            is_internal=form.cleaned_data["is_internal"],
            site_url=_site(request),
        )
    except OpenSPMError as error:
        _flash(request, error)
    return redirect("comp:dispute", dispute_id=dispute.pk)


@login_required
@require_POST
def dispute_transition(request: HttpRequest, dispute_id: int) -> HttpResponse:
    require_internal(request.user)
    dispute = selectors.get_dispute(viewer=request.user, dispute_id=dispute_id)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in form.errors.items())
        )
        return redirect("comp:dispute", dispute_id=dispute.pk)
    data = form.cleaned_data
    amount: Decimal | None = data["amount"]
    try:
        dispute = services.transition_dispute(
            actor=request.user,
            dispute_id=dispute.pk,
            action=data["action"],
            resolution=data["resolution"],
            amount=amount,
            site_url=_site(request),
        )
    except OpenSPMError as error:
        _flash(request, error)
    else:
        messages.success(request, f"Dispute {dispute.pk}: {dispute.get_status_display()}.")
    return redirect("comp:dispute", dispute_id=dispute.pk)


urlpatterns: list[URLPattern] = [
    path("disputes/", dispute_list, name="disputes"),
    path("disputes/new/", dispute_new, name="dispute_new"),
    path("disputes/<int:dispute_id>/", dispute_detail, name="dispute"),
    path("disputes/<int:dispute_id>/comment", dispute_comment, name="dispute_comment"),
    path("disputes/<int:dispute_id>/transition", dispute_transition, name="dispute_transition"),
]
