"""`openspm demo --reset` over a paid demo: runs, archives, disputes and adjustments go, the
closed quarters reopen, and the quarters are paid again."""

from __future__ import annotations

import pytest

from openspm.comp import archive
from openspm.comp.models import Adjustment, CalcRun, Dispute
from openspm.org.models import Period
from tests.demo.test_payouts import QUARTERS, run_demo


@pytest.mark.django_db
def test_reset_replaces_a_paid_demo_with_a_new_one() -> None:
    run_demo()
    old_runs = list(CalcRun.objects.values_list("pk", flat=True))
    run_demo("--reset")
    assert not CalcRun.objects.filter(pk__in=old_runs).exists()
    assert not any(archive.run_dir(pk).exists() for pk in old_runs)
    assert CalcRun.objects.filter(approval=CalcRun.Approval.APPROVED).count() == 8
    assert Period.objects.filter(key__in=QUARTERS, status="closed").count() == 7
    assert Dispute.objects.count() == 4
    assert Adjustment.objects.filter(source=Adjustment.Source.MANUAL).count() == 2
    for pk in CalcRun.objects.values_list("pk", flat=True):
        archive.delete_archive(pk)
