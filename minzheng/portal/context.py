"""Template context: which navigation entries the user's role may use."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from minzheng.accounts import access
from minzheng.accounts.middleware import is_page_part
from minzheng.core import navigation


def nav(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated or is_page_part(request):  # a page's part draws no top bar
        return {"nav": {}}
    return {
        "nav": {
            "registry": access.can_read_registry(user),
            "import": access.can_write_registry(user),
            "audit": access.can_read_audit(user),
            "users": access.can_admin_users(user),
            # Each app's own entries, registered from its AppConfig.ready(); a group of several
            # entries is a menu, marked current when the page is one of its entries.
            "extra": [
                (group, entries, any(request.path.startswith(url.split("?")[0]) for _, url in entries))
                for group, entries in navigation.groups_for(user)
            ],
        }
    }
