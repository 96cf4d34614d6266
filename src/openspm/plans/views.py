"""Plan pages: list, detail, the document editor, diffs, approvals, acceptance."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from openspm.core.access import can_edit, require_internal
from openspm.core.errors import NotFound, OpenSPMError
from openspm.org.models import Person, Team
from openspm.plans import selectors, services
from openspm.plans.documents import check_document
from openspm.plans.forms import AssignmentForm, DecisionForm, DraftForm, NewPlanForm
from openspm.plans.tutorial import STARTER_PLAN


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    require_internal(request.user)
    form = NewPlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        draft = services.create_plan(
            actor=request.user,
            code=data["code"],
            name=data["name"],
            effective_from=data["effective_from"],
            text=STARTER_PLAN.format(code=data["code"], name=data["name"]),
        )
        return redirect("plans:version", version_id=draft.pk)
    return render(
        request,
        "plans/plan_list.html",
        {
            "plans": selectors.list_plans(viewer=request.user).prefetch_related("versions"),
            "pending": selectors.list_pending_versions(viewer=request.user),
            "form": form,
            "can_edit": can_edit(request.user),
        },
    )


@login_required
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    require_internal(request.user)
    plan = selectors.get_plan(viewer=request.user, plan_id=plan_id)
    form = AssignmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = (
            Person.objects.filter(external_id=data["person"]).first() if data["person"] else None
        )
        team = Team.objects.filter(code=data["team"]).first() if data["team"] else None
        if (data["person"] and person is None) or (data["team"] and team is None):
            raise NotFound("No such person or team.")
        services.assign_plan(
            actor=request.user,
            plan_id=plan.pk,
            person=person,
            team=team,
            title=data["title"],
            effective_from=data["effective_from"],
            effective_to=data["effective_to"],
        )
        messages.success(request, "Assignment added.")
        return redirect("plans:detail", plan_id=plan.pk)
    versions = list(selectors.list_versions(viewer=request.user, plan_id=plan.pk))
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "versions": versions,
            "assignments": selectors.list_assignments(viewer=request.user, plan_id=plan.pk),
            "form": form,
            "can_edit": can_edit(request.user),
        },
    )


@login_required
def version_detail(request: HttpRequest, version_id: int) -> HttpResponse:
    require_internal(request.user)
    version = selectors.get_version(viewer=request.user, version_id=version_id)
    editable = version.is_editable and can_edit(request.user)
    form = DraftForm(
        request.POST or None,
        initial={
            "text": version.text,
            "effective_from": version.effective_from,
            "effective_to": version.effective_to,
        },
    )
    if request.method == "POST" and editable and form.is_valid():
        data = form.cleaned_data
        services.update_draft(
            actor=request.user,
            version_id=version.pk,
            text=data["text"],
            effective_from=data["effective_from"],
            effective_to=data["effective_to"],
        )
        if "submit" in request.POST:
            try:
                services.submit_version(actor=request.user, version_id=version.pk)
            except OpenSPMError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, "Submitted for approval.")
        else:
            messages.success(request, "Draft saved.")
        return redirect("plans:version", version_id=version.pk)
    issues = check_document(
        version.text,
        code=version.plan.code,
        number=version.number,
        effective_from=version.effective_from,
        effective_to=version.effective_to,
    )
    others = selectors.list_versions(viewer=request.user, plan_id=version.plan_id).exclude(
        pk=version.pk
    )
    return render(
        request,
        "plans/version_detail.html",
        {
            "version": version,
            "form": form,
            "editable": editable,
            "issues": issues,
            "others": others,
            "decision_form": DecisionForm(),
            "can_decide": selectors.sees_all_plans(request.user) and version.status == "pending",
            "can_simulate": selectors.sees_all_plans(request.user),
        },
    )


@login_required
@require_POST
def validate_document(request: HttpRequest, version_id: int) -> HttpResponse:
    """HTMX: the problems of the text being edited, each with its line."""
    require_internal(request.user)
    version = selectors.get_version(viewer=request.user, version_id=version_id)
    issues = check_document(
        request.POST.get("text", ""),
        code=version.plan.code,
        number=version.number,
    )
    return render(request, "plans/_issues.html", {"issues": issues})


@login_required
@require_POST
def new_version(request: HttpRequest, plan_id: int) -> HttpResponse:
    require_internal(request.user)
    plan = selectors.get_plan(viewer=request.user, plan_id=plan_id)
    draft = services.new_draft(
        actor=request.user,
        plan_id=plan.pk,
        from_version_id=int(request.POST.get("from") or 0) or None,
    )
    return redirect("plans:version", version_id=draft.pk)


@login_required
@require_POST
def decide(request: HttpRequest, version_id: int) -> HttpResponse:
    require_internal(request.user)
    version = selectors.get_version(viewer=request.user, version_id=version_id)
    comment = request.POST.get("comment", "")
    try:
        if "approve" in request.POST:
            services.approve_version(actor=request.user, version_id=version.pk, comment=comment)
            messages.success(request, f"{version.plan.code} v{version.number} is published.")
        else:
            services.reject_version(actor=request.user, version_id=version.pk, comment=comment)
            messages.success(request, f"{version.plan.code} v{version.number} was rejected.")
    except OpenSPMError as error:
        if error.status == 404:
            raise
        messages.error(request, error.message)
    return redirect("plans:version", version_id=version.pk)


@login_required
def version_diff(request: HttpRequest, old_id: int, new_id: int) -> HttpResponse:
    require_internal(request.user)
    lines = selectors.diff_versions(viewer=request.user, old_id=old_id, new_id=new_id)
    return render(
        request,
        "plans/version_diff.html",
        {
            "lines": lines,
            "old": selectors.get_version(viewer=request.user, version_id=old_id),
            "new": selectors.get_version(viewer=request.user, version_id=new_id),
        },
    )


@login_required
@require_POST
def accept(request: HttpRequest, version_id: int) -> HttpResponse:
    require_internal(request.user)
    services.accept_version(actor=request.user, version_id=version_id)
    messages.success(request, "You accepted this plan.")
    return redirect("plans:version", version_id=version_id)
