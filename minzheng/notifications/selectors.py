"""My messages: addressed to me, or to my role in a division my jurisdiction covers."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from minzheng.core.jurisdiction import prefix_q
from minzheng.notifications.models import Notification


def inbox(user: Any) -> QuerySet[Notification]:
    if not (user.is_authenticated and user.is_active):
        return Notification.objects.none()
    by_role = Q(recipient__isnull=True, role=user.role) & prefix_q("division_code", user.jurisdiction)
    return Notification.objects.filter(Q(recipient=user) | by_role, delivered_at__isnull=False).order_by("-id")


def unread_count(user: Any) -> int:
    return inbox(user).filter(read_at__isnull=True).count()
