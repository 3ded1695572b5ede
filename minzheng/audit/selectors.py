"""Audit search. The audit log is read-only everywhere in the application."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from minzheng.audit.models import AuditEvent


def audit_search(
    *,
    username: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    given = {
        "actor_username": username,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "at__date__gte": date_from,
        "at__date__lte": date_to,
    }
    return AuditEvent.objects.order_by("-at", "-id").filter(**{k: v for k, v in given.items() if v})
