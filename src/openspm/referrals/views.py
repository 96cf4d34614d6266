"""Referral pages for signed-in users: the portal (own referrals and rewards), the review
queue, rewards, the outbox and analytics."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from openspm.core.access import can_edit, require_approver, require_edit, role_of
from openspm.core.errors import InvalidInput
from openspm.core.roles import APPROVE_ROLES
from openspm.referrals import selectors
from openspm.referrals.forms import PortalSubmissionForm, ReferralFilterForm, StageForm
from openspm.referrals.services import campaigns, funnel, intake, portal, rewards
from openspm.referrals.views_public import client_ip

LIMIT = 200


@login_required
def referrals(request: HttpRequest) -> HttpResponse:
    form = ReferralFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {"status": "", "stage": ""}
    rows = list(
        selectors.list_referrals(viewer=request.user, status=data["status"], stage=data["stage"])[
            :LIMIT
        ]
    )
    return render(
        request,
        "referrals/referrals.html",
        {
            "form": form,
            "referrals": rows,
            "rewards": list(selectors.list_rewards(viewer=request.user)[:LIMIT]),
            "links": [
                (r, campaigns.referral_link(r))
                for r in selectors.list_referrers(viewer=request.user)
            ],
            "programs": list(portal.joinable_programs(viewer=request.user)),
            "can_edit": can_edit(request.user),
        },
    )


@login_required
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = selectors.get_referral(viewer=request.user, referral_id=pk)
    return render(
        request,
        "referrals/referral.html",
        {
            "referral": referral,
            "signals": list(referral.signals.all()),
            "rewards": list(selectors.list_rewards(viewer=request.user).filter(referral=referral)),
            "crm_events": selectors.list_crm_events(viewer=request.user, referral=referral),
            "stage_form": StageForm(),
            "can_edit": can_edit(request.user),
            "can_review": role_of(request.user) in APPROVE_ROLES,
        },
    )


@login_required
@require_POST
def submit(request: HttpRequest) -> HttpResponse:
    """A signed-in partner or employee refers someone (joining the program if need be)."""
    form = PortalSubmissionForm(request.POST)
    if not form.is_valid():
        raise InvalidInput("Check the referral's details.", detail=form.errors.get_json_data())
    data = form.cleaned_data
    referrer = portal.referrer_for(viewer=request.user, program_id=data["program"])
    referral = intake.submit_referral(
        program=referrer.program,
        referrer=referrer,
        ip=client_ip(request),
        sub=intake.Submission(
            referee_name=data["referee_name"],
            referee_email=data["referee_email"],
            referee_company=data["referee_company"],
            referee_country=data["referee_country"],
            referee_postal_code=data["referee_postal_code"],
        ),
    )
    messages.success(request, f"Referral of {referral.referee_name} submitted.")
    return redirect("referrals:referrals")


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    require_approver(request.user)
    return render(
        request,
        "referrals/review.html",
        {"referrals": list(selectors.list_review_queue(viewer=request.user)[:LIMIT])},
    )


@login_required
@require_POST
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    referral = funnel.review(
        actor=request.user, referral_id=pk, approve=request.POST.get("decision") == "approve"
    )
    messages.success(request, f"Referral {referral.get_status_display().lower()}.")
    return redirect("referrals:review")


@login_required
@require_POST
def advance(request: HttpRequest, pk: int) -> HttpResponse:
    require_edit(request.user)
    form = StageForm(request.POST)
    if not form.is_valid():
        raise InvalidInput("Choose a stage.", detail=form.errors.get_json_data())
    funnel.advance(
        actor=request.user,
        referral_id=pk,
        update=funnel.StageUpdate(
            stage=form.cleaned_data["stage"], deal_amount=form.cleaned_data["deal_amount"]
        ),
    )
    return redirect("referrals:referral", pk=pk)


@login_required
def reward_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    return render(
        request,
        "referrals/rewards.html",
        {
            "rewards": list(selectors.list_rewards(viewer=request.user, status=status)[:LIMIT]),
            "can_approve": role_of(request.user) in APPROVE_ROLES,
        },
    )


@login_required
@require_POST
def reward_approve(request: HttpRequest, pk: int) -> HttpResponse:
    rewards.approve_reward(actor=request.user, reward_id=pk)
    messages.success(request, "Reward approved.")
    return redirect("referrals:rewards")


@login_required
@require_POST
def reward_pay(request: HttpRequest, pk: int) -> HttpResponse:
    rewards.mark_paid(actor=request.user, reward_id=pk)
    messages.success(request, "Reward marked paid.")
    return redirect("referrals:rewards")


@login_required
def outbox(request: HttpRequest) -> HttpResponse:
    require_approver(request.user)
    return render(
        request,
        "referrals/outbox.html",
        {"messages_out": list(selectors.list_messages(viewer=request.user)[:LIMIT])},
    )


@login_required
def analytics(request: HttpRequest) -> HttpResponse:
    require_approver(request.user)
    return render(
        request,
        "referrals/analytics.html",
        {
            "stats": selectors.program_stats(viewer=request.user),
            "top": selectors.top_referrers(viewer=request.user),
        },
    )


@login_required
def analytics_csv(request: HttpRequest) -> HttpResponse:
    require_approver(request.user)
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="referral-programs.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "program",
            "referrals",
            "leads",
            "won",
            "conversion_rate",
            "avg_days_to_close",
            "revenue_amount",
            "reward_cost_amount",
            "roi",
        ]
    )
    for s in selectors.program_stats(viewer=request.user):
        writer.writerow(
            [
                s.program.slug,
                s.referrals,
                s.leads,
                s.won,
                s.conversion_rate,
                "" if s.avg_days_to_close is None else s.avg_days_to_close,
                s.revenue_amount,
                s.reward_cost_amount,
                "" if s.roi is None else s.roi,
            ]
        )
    return response
