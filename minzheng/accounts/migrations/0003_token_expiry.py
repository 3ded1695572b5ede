"""Tokens issued before expiry existed get the configured lifetime from now: integrations keep
working for one more period instead of breaking on upgrade, and no token lives for ever."""

import datetime as dt

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def set_expiry(apps, schema_editor):  # type: ignore[no-untyped-def]
    ApiToken = apps.get_model("accounts", "ApiToken")
    days = getattr(settings, "API_TOKEN_DAYS", 90)
    ApiToken.objects.filter(expires_at__isnull=True).update(expires_at=timezone.now() + dt.timedelta(days=days))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_safety")]

    operations = [migrations.RunPython(set_expiry, migrations.RunPython.noop)]
