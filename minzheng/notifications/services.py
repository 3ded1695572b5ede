"""Write a message into the outbox (inside the caller's transaction); deliver the outbox in the worker."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from minzheng.accounts.types import Actor
from minzheng.notifications.models import Notification

log = logging.getLogger(__name__)


def notify(
    *,
    kind: str,
    title: str,
    fingerprint: str,
    recipient: Any = None,
    role: str = "",
    division_code: str = "",
    link: str = "",
) -> Notification:
    """Idempotent by fingerprint: the same fact never produces two messages."""
    if recipient is None and not role:
        raise ValueError("消息须有接收人或接收角色")
    message, _ = Notification.objects.get_or_create(
        fingerprint=fingerprint[:96],
        defaults={
            "recipient": recipient,
            "role": role,
            "division_code": division_code,
            "kind": kind,
            "title": title[:200],
            "link": link[:200],
        },
    )
    return message


def _adapters() -> list[Any]:
    # settings.NOTIFICATION_ADAPTERS: dotted paths of callables (message) -> None, e.g. an SMS gateway.
    return [import_string(path) for path in getattr(settings, "NOTIFICATION_ADAPTERS", [])]


def deliver_pending(limit: int = 500) -> dict[str, int]:
    """Mark in-app messages delivered and hand each to the configured external channels. Resumable."""
    delivered = failed = 0
    adapters = _adapters()
    for message in Notification.objects.filter(delivered_at__isnull=True).order_by("id")[:limit]:
        done = list(message.channels_done)
        for adapter in adapters:
            name = f"{adapter.__module__}.{adapter.__qualname__}"
            if name in done:
                continue
            try:
                adapter(message)
                done.append(name)
            except Exception:  # one failing gateway must not stop in-app delivery or other messages
                log.exception("notification %s via %s failed", message.pk, name)
                failed += 1
        Notification.objects.filter(pk=message.pk).update(delivered_at=timezone.now(), channels_done=done)
        delivered += 1
    return {"delivered": delivered, "failed": failed}


def mark_read(message: Notification, *, actor: Actor) -> None:
    Notification.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=timezone.now())
