"""The holiday table: everyone may read it (deadlines depend on it); administrators import it."""

from __future__ import annotations

from typing import Any


def nav_entries(user: Any) -> list[tuple[str, str]]:
    from django.urls import reverse

    from minzheng.accounts.access import can_admin_users

    return [("节假日安排", reverse("workdays:holidays"))] if can_admin_users(user) else []
