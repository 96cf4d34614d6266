"""Events stored before the worker applied them were applied in their request: mark them so."""

from django.db import migrations
from django.db.models import F


def mark_applied(apps, schema_editor):  # type: ignore[no-untyped-def]
    WebhookEvent = apps.get_model("referrals", "WebhookEvent")
    WebhookEvent.objects.filter(status="received").update(
        status="applied", applied_at=F("received_at")
    )


class Migration(migrations.Migration):
    dependencies = [("referrals", "0004_webhook_event_queued")]

    operations = [migrations.RunPython(mark_applied, migrations.RunPython.noop)]
