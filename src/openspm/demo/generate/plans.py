"""A published compensation plan per selling role, assigned by job title from the first day.

Written the way a comp admin would: the comp admin drafts and submits each plan, the
administrator approves it (four eyes), the comp admin assigns it, all through the plans
services. The documents are the plans app's starter plan with the role's rates.
"""

from __future__ import annotations

from dataclasses import dataclass

from openspm.core.models import User
from openspm.demo.generate.base import Options, Progress
from openspm.plans import services as plan_services
from openspm.plans.tutorial import STARTER_PLAN


@dataclass(frozen=True)
class PlanSpec:
    code: str
    name: str
    titles: tuple[str, ...]
    base_rate: str  # below quota
    accelerated_rate: str  # above quota


PLANS = (
    PlanSpec(
        "account_executive",
        "Account Executive plan",
        ("Account Executive", "Senior Account Executive"),
        "0.05",
        "0.08",
    ),
    PlanSpec(
        "sales_development", "Sales Development plan", ("Sales Development Representative",),
        "0.02", "0.03",
    ),
    PlanSpec("sales_engineer", "Sales Engineer plan", ("Sales Engineer",), "0.02", "0.03"),
    PlanSpec("sales_manager", "Sales Manager plan", ("Sales Manager",), "0.01", "0.015"),
)  # fmt: skip


def plan_text(spec: PlanSpec) -> str:
    text = STARTER_PLAN.format(code=spec.code, name=spec.name)
    return text.replace("rate: 0.05", f"rate: {spec.base_rate}").replace(
        "rate: 0.08", f"rate: {spec.accelerated_rate}"
    )


def make_plans(options: Options, progress: Progress) -> int:
    author = User.objects.get(username="compadmin")
    approver = User.objects.get(username="admin")
    assignments = 0
    for spec in PLANS:
        draft = plan_services.create_plan(
            actor=author,
            code=spec.code,
            name=spec.name,
            text=plan_text(spec),
            effective_from=options.start,
            description=f"Demo plan for {', '.join(spec.titles)}.",
        )
        plan_services.submit_version(actor=author, version_id=draft.pk)
        plan_services.approve_version(actor=approver, version_id=draft.pk, comment="Demo plan.")
        for title in spec.titles:
            plan_services.assign_plan(
                actor=author, plan_id=draft.plan_id, effective_from=options.start, title=title
            )
            assignments += 1
    progress("plans", len(PLANS))
    progress("plan assignments", assignments)
    return len(PLANS)
