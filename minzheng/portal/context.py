"""Template context: which navigation entries the user's role may use."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.http import HttpRequest

from minzheng.accounts import access

# Apps that add navigation entries through their own access.nav_entries(user), in groups
# shown side by side with a thin rule between them (a flat bar: nothing hides in a menu).
NAV_GROUPS = (
    ("办事", ("minzheng.workitems.access", "minzheng.cases.access", "minzheng.workdays.access")),
    ("一键核对", ("minzheng.verification.access",)),
    ("救助政策", ("minzheng.rules.access",)),
    ("养老服务", ("minzheng.eldercare.access", "minzheng.emergency.access", "minzheng.meals.access")),
)


def nav_extra(user: Any) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(group label, [(entry label, url), ...]), ...] with the groups this user has entries in."""
    groups = []
    for label, modules in NAV_GROUPS:
        entries = [entry for module in modules for entry in import_module(module).nav_entries(user)]
        if entries:
            groups.append((label, entries))
    return groups


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
