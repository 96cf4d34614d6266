from __future__ import annotations

from datetime import date

from openspm.core.models import User
from openspm.plans import services
from openspm.plans.models import PlanVersion

AE_PLAN = """\
schema_version: 1
id: {code}
version: {number}
name: Account Executive
currency: USD
measures:
  bookings:
    value: amount
components:
  - id: commission
    kind: commission
    measure: bookings
    rate: {rate}
"""


def plan_text(code: str = "ae", number: int = 1, rate: str = "0.05") -> str:
    return AE_PLAN.format(code=code, number=number, rate=rate)


def make_published_plan(
    *, author: User, approver: User, code: str = "ae", effective_from: date = date(2026, 1, 1)
) -> PlanVersion:
    draft = services.create_plan(
        actor=author,
        code=code,
        name=code.upper(),
        text=plan_text(code),
        effective_from=effective_from,
    )
    services.submit_version(actor=author, version_id=draft.pk)
    return services.approve_version(actor=approver, version_id=draft.pk)
