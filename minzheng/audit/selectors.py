"""Audit search. The audit log is read-only everywhere in the application."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from minzheng.audit.models import AuditEvent


def _day_start(day: dt.date) -> dt.datetime:
    """Local midnight as an aware datetime: a range on `at` uses its index, `at__date` would not."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_search(
    *,
    username: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """Newest first; empty filters are ignored; both dates are inclusive local days."""
    given = {
        "actor_username": username.strip(),
        "action": action,
        "object_type": object_type,
        "object_id": object_id.strip(),
        "at__gte": _day_start(date_from) if date_from else None,
        "at__lt": _day_start(date_to + dt.timedelta(days=1)) if date_to else None,
    }
    return AuditEvent.objects.order_by("-at", "-id").filter(**{k: v for k, v in given.items() if v})
