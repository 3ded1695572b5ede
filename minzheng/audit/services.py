"""Writing audit rows. Every write, detail read, export and unmasking calls this."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from minzheng.audit.models import AuditEvent


def client_ip(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[0].strip()[:45]
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


def audit_record(
    *,
    actor: Any,
    action: str,
    object_type: str = "",
    object_id: str | int = "",
    summary: str = "",
    reason: str = "",
    client_ip: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if authenticated else None,
        actor_username=getattr(actor, "username", "") or ("系统" if actor is None else ""),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        summary=summary[:500],
        reason=reason[:500],
        client_ip=client_ip,
        data=data or {},
    )
