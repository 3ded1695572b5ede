"""Who may do what. The only place role decisions are made."""

from __future__ import annotations

from django.http import Http404

from minzheng.accounts.models import Role, User

REGISTRY_READ = {
    Role.VILLAGE_WORKER,
    Role.TOWN_OFFICER,
    Role.COUNTY_APPROVER,
    Role.VERIFICATION_CENTER,
    Role.HOTLINE_OPERATOR,
    Role.SYSADMIN,
}
REGISTRY_WRITE = {Role.VILLAGE_WORKER, Role.TOWN_OFFICER, Role.SYSADMIN}
# Full identity numbers and phones: only roles whose work needs them, with a reason.
UNMASK = {Role.TOWN_OFFICER, Role.COUNTY_APPROVER, Role.VERIFICATION_CENTER, Role.SYSADMIN}
AUDIT_READ = {Role.AUDITOR, Role.SYSADMIN}
DIVISIONS_ADMIN = {Role.SYSADMIN}


def _has(user: User, roles: set[Role]) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in roles)


def can_read_registry(user: User) -> bool:
    return _has(user, REGISTRY_READ)


def can_write_registry(user: User) -> bool:
    return _has(user, REGISTRY_WRITE)


def can_unmask(user: User) -> bool:
    return _has(user, UNMASK)


def can_read_audit(user: User) -> bool:
    return _has(user, AUDIT_READ)


def can_admin_users(user: User) -> bool:
    return _has(user, {Role.SYSADMIN})


def can_admin_divisions(user: User) -> bool:
    return _has(user, DIVISIONS_ADMIN)


def require(allowed: bool) -> None:
    """Out of role answers 404 like out of jurisdiction: nothing leaks existence."""
    if not allowed:
        raise Http404("无权访问或对象不存在")
