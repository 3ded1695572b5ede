"""Who may open the dashboard, and which division a request may look at (its own jurisdiction or inside it)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from minzheng.accounts.access import has_role
from minzheng.accounts.models import Role
from minzheng.core.figures import Figure

# Staff who answer for an area's work; unit-bound accounts (服务商, 护理员, 社会组织, 养老机构 …) do not.
VIEWERS = {
    Role.VILLAGE_WORKER,
    Role.TOWN_OFFICER,
    Role.COUNTY_APPROVER,
    Role.VERIFICATION_CENTER,
    Role.CHILD_SUPERVISOR,
    Role.DISASTER_OFFICER,
    Role.SOCIALORG_OFFICER,
    Role.PLACENAME_OFFICER,
    Role.FUNERAL_OFFICER,
    Role.AUDITOR,
    Role.SYSADMIN,
}


def can_view(user: Any) -> bool:
    return has_role(user, VIEWERS)


def division_for(user: Any, requested: str | None) -> str:
    """The division prefix a page shows: the user's jurisdiction, or a division inside it (else 404)."""
    own = user.jurisdiction
    code = (requested or "").strip() or own
    if not code.isdigit() or len(code) not in (2, 4, 6, 9, 12) or not code.startswith(own):
        raise Http404("该区划不在您的管辖范围内")
    return code


def figure_visible(user: Any, figure: Figure) -> bool:
    return figure.visible is None or bool(figure.visible(user))


def nav_entries(user: Any) -> list[tuple[str, str]]:
    if not can_view(user):
        return []
    from django.urls import reverse

    return [("民政大脑", reverse("dashboard:board")), ("大屏", reverse("dashboard:screen"))]
