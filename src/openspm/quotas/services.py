"""Writes to quotas. Each is atomic and validates before it saves."""

from __future__ import annotations

from django.db import transaction

from openspm.core.access import Viewer, require_edit
from openspm.quotas.models import Quota


@transaction.atomic
def save_quota(*, actor: Viewer, quota: Quota) -> Quota:
    """Create or update a quota after validating every field and the uniqueness rule."""
    require_edit(actor)
    quota.full_clean()
    quota.save()
    return quota
