"""Referral test rows: programs, referrers and submitted referrals (real rows, no mocks)."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from openspm.referrals.models import Program, Referral, Referrer
from openspm.referrals.services import intake, programs

_seq = itertools.count(1)


def make_program(**fields: Any) -> Program:
    n = next(_seq)
    fields.setdefault("slug", f"program-{n}")
    fields.setdefault("name", f"Program {n}")
    fields.setdefault("kind", Program.Kind.PARTNER)
    fields.setdefault("reward_kind", Program.RewardKind.FIXED)
    fields.setdefault("reward_amount", Decimal("100.00"))
    fields.setdefault("holding_days", 0)
    program = Program(**fields)
    program.full_clean()
    program.save()
    return program


def make_referrer(program: Program, **fields: Any) -> Referrer:
    n = next(_seq)
    fields.setdefault("name", f"Referrer {n}")
    fields.setdefault("email", f"referrer{n}@partnerco{n}.example")
    return programs.create_referrer(program=program, **fields)


def submit(
    program: Program,
    referrer: Referrer,
    *,
    name: str | None = None,
    email: str | None = None,
    company: str = "",
    ip: str = "",
    **extra: str,
) -> Referral:
    n = next(_seq)
    return intake.submit_referral(
        program=program,
        referrer=referrer,
        ip=ip or f"10.0.{n // 250}.{n % 250}",
        sub=intake.Submission(
            referee_name=name or f"Referee {n}",
            referee_email=email or f"buyer{n}@prospect{n}.example",
            referee_company=company,
            **extra,
        ),
    )


def compute_rewards(program: Program) -> None:
    """What the worker's `compute_referral_rewards` task does after a trigger (tests run it
    explicitly: on-commit callbacks do not fire inside a test's transaction)."""
    from openspm.referrals.services import rewards

    rewards.compute_due_rewards(program_id=program.pk)


def run_webhook_jobs() -> list[str]:
    """What `openspm worker` does with the webhook's queued `apply_webhook_event` jobs: run
    each ready one, oldest first, in this process, and take it off the queue. Returns the
    status each job reported."""
    from django_tasks_db.models import DBTaskResult

    jobs = [
        job
        for job in DBTaskResult.objects.ready().order_by("enqueued_at")
        if job.task_path.endswith(".apply_webhook_event")
    ]
    statuses = [job.task.call(*job.task_result.args, **job.task_result.kwargs) for job in jobs]
    DBTaskResult.objects.filter(pk__in=[job.pk for job in jobs]).delete()
    return statuses
