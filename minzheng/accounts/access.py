"""Who may do what. The only place role decisions are made."""

from __future__ import annotations

from typing import Any

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


def has_role(user: Any, roles: set[Role]) -> bool:
    """The one role check every app's access module uses: an active, logged-in user in `roles`."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active and user.role in roles)


_has = has_role


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


def account_controllers(user: User, depth: int = 10) -> set[int]:
    """Everyone who created or changed this account, and whoever did so to theirs, and so on.

    A person who set up or changed an account (its role, its password) may control it; so may
    whoever controls that person's account. Bounded: chains longer than `depth` do not occur.
    """
    from minzheng.accounts.models import UserChange

    seen: set[int] = set()
    frontier = {user.pk}
    if user.created_by_id:
        frontier.add(user.created_by_id)
    for _ in range(depth):
        found = set(UserChange.objects.filter(user_id__in=frontier).values_list("actor_id", flat=True))
        found |= {pk for pk in User.objects.filter(pk__in=frontier).values_list("created_by_id", flat=True) if pk}
        new = found - seen - {user.pk}
        seen |= new
        frontier = new
        if not frontier:
            break
    if user.created_by_id:
        seen.add(user.created_by_id)
    return seen


def independent_of(approver: User, maker: User | None) -> bool:
    """Maker-checker across accounts: the approver is not the maker and no account the maker controls.

    False when the approver is the maker, or the approver's account was created or changed by the
    maker (directly or through an account the maker created or changed). An unknown maker (the CLI,
    the installation itself) cannot be told apart, so it does not block.
    """
    if maker is None or getattr(maker, "pk", None) is None:
        return True
    if approver.pk == maker.pk:
        return False
    return maker.pk not in account_controllers(approver)
