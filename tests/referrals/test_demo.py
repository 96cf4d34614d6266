"""`openspm referrals_demo` over a small company."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from openspm.referrals.models import Program, Referral, Reward
from tests.factories import World

pytestmark = pytest.mark.django_db


def test_creates_three_programs_with_funnels(world: World) -> None:
    out = StringIO()
    call_command("referrals_demo", "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["programs"] == Program.objects.count() == 3  # partner, customer, employee
    assert summary["referrals"] == Referral.objects.count() == 60 + 7
    stages = set(Referral.objects.values_list("stage", flat=True))
    assert {"lead", "won", "lost"} <= stages
    assert Reward.objects.filter(status=Reward.Status.PAID).exists()
    assert not Reward.objects.filter(referral__status=Referral.Status.FLAGGED).exists()
    assert Referral.objects.filter(referrer__user=world.users["partner"]).exists()


def test_refuses_twice(world: World) -> None:
    call_command("referrals_demo", stdout=StringIO())
    with pytest.raises(CommandError, match="exist already"):
        call_command("referrals_demo", stdout=StringIO())


def test_starts_the_daily_housekeeping(
    world: World, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        call_command("referrals_demo", stdout=StringIO())
    assert DBTaskResult.objects.filter(task_path__endswith="run_referral_housekeeping").exists()


def test_housekeeping_command_runs_every_step(world: World) -> None:
    out = StringIO()
    call_command("referrals_housekeeping", "--json", stdout=out)
    assert set(json.loads(out.getvalue())) == {
        "expired",
        "reminded",
        "crm_events",
        "computed",
        "posted",
        "purged",
    }
