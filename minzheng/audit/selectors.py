"""Audit search. The audit log is read-only everywhere in the application."""

from __future__ import annotations

import datetime as dt
from typing import Any

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
    qs = AuditEvent.objects.order_by("-at", "-id")
    filters: dict[str, Any] = {}
    if username:
        filters["actor_username"] = username
    if action:
        filters["action"] = action
    if object_type:
        filters["object_type"] = object_type
    if object_id:
        filters["object_id"] = object_id
    if date_from:
        filters["at__date__gte"] = date_from
    if date_to:
        filters["at__date__lte"] = date_to
    return qs.filter(**filters)
