"""Template context: which navigation entries the user's role may use."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.http import HttpRequest

from minzheng.accounts import access

# Apps that add navigation entries through their own access.nav_entries(user).
NAV_PROVIDERS = (
    "minzheng.verification.access",
    "minzheng.rules.access",
    "minzheng.eldercare.access",
    "minzheng.emergency.access",
    "minzheng.meals.access",
)


def nav_extra(user: Any) -> list[tuple[str, str]]:
    entries: list[tuple[str, str]] = []
    for module in NAV_PROVIDERS:
        entries.extend(import_module(module).nav_entries(user))
    return entries


def nav(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {"nav": {}}
    return {
        "nav": {
            "registry": access.can_read_registry(user),
            "import": access.can_write_registry(user),
            "audit": access.can_read_audit(user),
            "users": access.can_admin_users(user),
            "extra": nav_extra(user),
        }
    }
