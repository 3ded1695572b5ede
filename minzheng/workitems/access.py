"""待办 and messages are for every staff role: each sees only what is theirs, in their jurisdiction."""

from __future__ import annotations

from typing import Any


def can_use(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role not in {"auditor"})


def nav_entries(user: Any) -> list[tuple[str, str]]:
    from django.urls import reverse

    from minzheng.notifications.selectors import unread_count

    if not can_use(user):
        return []
    unread = unread_count(user)
    return [
        ("我的待办", reverse("workitems:mine")),
        (f"消息{f'（{unread}）' if unread else ''}", reverse("notifications:inbox")),
    ]
