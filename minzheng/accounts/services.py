"""Accounts: create and change users, issue and revoke API tokens, log in with throttling."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from stdnum.cn import uscc

from minzheng.accounts.models import ApiToken, LoginThrottle, Role, User, UserChange
from minzheng.accounts.types import Actor
from minzheng.audit.models import AuditEvent
from minzheng.audit.services import audit_record, client_ip
from minzheng.divisions import codes
from minzheng.divisions.models import Division


class AccountError(ValueError):
    pass


class TokenError(AccountError):
    """A token that does not authenticate; the message says why in Chinese."""


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# ------------------------------------------------------------------ roles and jurisdictions

# Where a role works is fixed by the organisation: a 乡镇 officer has a 乡镇 code, and so on.
ROLE_LEVEL = {
    Role.VILLAGE_WORKER: codes.VILLAGE,
    Role.TOWN_OFFICER: codes.TOWN,
    Role.COUNTY_APPROVER: codes.COUNTY,
}


# Roles that act for one body inside their jurisdiction; `User.unit` names it (accounts/units.py).
UNIT_ROLES = {
    Role.DEPARTMENT_STAFF: "部门代码（如 hrss）",
    Role.ORG_ACCOUNT: "统一社会信用代码",
    Role.INSTITUTION_OPERATOR: "养老机构编号",
}


def unit_check(role: str, unit: str) -> str:
    """The unit a unit-bound role must name (an organisation's by a valid credit code); '' for the rest."""
    unit = unit.strip().upper() if role == Role.ORG_ACCOUNT else unit.strip()
    what = UNIT_ROLES.get(Role(role))
    if what is None:
        return ""
    if not unit:
        raise AccountError(f"{Role(role).label}账号须填写所属单位：{what}")
    if role == Role.ORG_ACCOUNT and not uscc.is_valid(unit):
        raise AccountError(f"所属单位“{unit}”不是有效的统一社会信用代码（18 位，末位为校验码）")
    return unit


def _fold(text: str) -> str:
    """Full-width brackets and spaces do not matter when a role is typed by hand."""
    return text.strip().replace("（", "(").replace("）", ")").replace(" ", "").replace("\u3000", "")


def role_from_text(text: str) -> str:
    """A role key (`town_officer`) or its Chinese name (`乡镇(街道)民政办`, either bracket style)."""
    folded = _fold(text)
    for role in Role:
        if folded in (role.value, _fold(role.label)):
            return role.value
    choices = "、".join(f"{r.value}（{r.label}）" for r in Role)
    raise AccountError(f"未知角色“{text}”，可选：{choices}")


def jurisdiction_check(role: str, jurisdiction: str) -> str:
    """The significant prefix of an existing division whose level fits the role, or a Chinese refusal."""
    code = jurisdiction.strip()
    if not code.isdigit() or len(code) not in (2, 4, 6, 9, 12):
        raise AccountError(f"管辖范围“{jurisdiction}”应为区划代码（2、4、6、9 或 12 位数字，如 330212 或 330212100）")
    division = Division.objects.filter(code=code.ljust(12, "0")).first()
    if division is None:
        raise AccountError(f"管辖范围“{jurisdiction}”不是已有的区划代码：区划表中没有 {code.ljust(12, '0')}")
    wanted = ROLE_LEVEL.get(Role(role))
    if wanted is not None and division.level != wanted:
        have = codes.LEVEL_NAMES.get(division.level, str(division.level))
        raise AccountError(
            f"管辖范围“{jurisdiction}”（{division.name}）是{have}级区划；"
            f"{Role(role).label}的管辖范围应为{codes.LEVEL_NAMES[wanted]}级区划代码"
        )
    return codes.significant(division.code)


def jurisdiction_significant(code: str) -> str:
    """Accept a 12-digit division code as a jurisdiction and keep its meaningful prefix."""
    return codes.significant(code) if len(code) == 12 else code


# ------------------------------------------------------------------ create and change


def _actor_user(actor: Actor | None) -> User | None:
    return actor if isinstance(actor, User) and actor.is_authenticated else None


def _record_change(user: User, actor: Actor | None, what: str) -> None:
    """Remember who touched an account: the basis of `access.independent_of`."""
    by = _actor_user(actor)
    User.objects.filter(pk=user.pk).update(changed_by=by)
    user.changed_by = by
    if by is not None and by.pk != user.pk:
        UserChange.objects.create(user=user, actor=by, what=what[:64])


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    role: str,
    jurisdiction: str,
    password: str | None = None,
    display_name: str = "",
    unit: str = "",
) -> User:
    role = role_from_text(role)
    jurisdiction = jurisdiction_check(role, jurisdiction)
    unit = unit_check(role, unit)
    if User.objects.filter(username=username).exists():
        raise AccountError(f"账号“{username}”已存在")
    by = _actor_user(actor)
    user = User(
        username=username,
        role=role,
        jurisdiction=jurisdiction,
        display_name=display_name,
        unit=unit,
        created_by=by,
        changed_by=by,
    )
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    if by is not None:
        UserChange.objects.create(user=user, actor=by, what="创建")
    audit_record(
        actor=actor,
        action=AuditEvent.Action.USER_CREATE,
        object_type="user",
        object_id=user.pk,
        summary=f"创建账号 {username}（{Role(role).label}，管辖 {jurisdiction}）",
    )
    return user


@transaction.atomic
def user_update(
    *,
    actor: User | None,
    user: User,
    role: str | None = None,
    jurisdiction: str | None = None,
    display_name: str | None = None,
    password: str | None = None,
    unit: str | None = None,
) -> User:
    """Change role, jurisdiction, unit, name or password; jurisdiction and unit are checked against the role."""
    changes = []
    new_role = role_from_text(role) if role else user.role
    if role and new_role != user.role:
        changes.append(f"角色 {user.role_label} → {Role(new_role).label}")
    if jurisdiction or new_role != user.role:
        checked = jurisdiction_check(new_role, jurisdiction or user.jurisdiction)
        if checked != user.jurisdiction:
            changes.append(f"管辖 {user.jurisdiction} → {checked}")
        user.jurisdiction = checked
    new_unit = unit_check(new_role, user.unit if unit is None else unit)
    if new_unit != user.unit:
        changes.append(f"所属单位 {user.unit or '无'} → {new_unit or '无'}")
        user.unit = new_unit
    user.role = new_role
    if display_name is not None and display_name != user.display_name:
        changes.append(f"姓名 {user.display_name} → {display_name}")
        user.display_name = display_name
    if password:
        validate_password(password, user)
        user.set_password(password)
        changes.append("重设密码")
    if not changes:
        return user
    user.save()
    _record_change(user, actor, "；".join(changes))
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        object_type="user",
        object_id=user.pk,
        summary=f"修改账号 {user.username}：{'；'.join(changes)}",
    )
    return user


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str, client_ip: str = "") -> None:
    """A user changes their own password; the old one must be right."""
    if not user.check_password(old_password):
        raise AccountError("原密码不正确")
    if old_password == new_password:
        raise AccountError("新密码不能与原密码相同")
    validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    _record_change(user, user, "修改本人密码")
    audit_record(
        actor=user,
        action=AuditEvent.Action.UPDATE,
        object_type="user",
        object_id=user.pk,
        summary=f"{user.username} 修改本人密码",
        client_ip=client_ip,
    )


@transaction.atomic
def user_deactivate(*, actor: User | None, user: User) -> int:
    """Stop an account: it can no longer log in, its sessions stop working, its tokens are revoked."""
    if actor is not None and actor.pk == user.pk:
        raise AccountError("不能停用自己的账号")
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.is_active = False
    revoked = _revoke(user)
    _record_change(user, actor, "停用")
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        object_type="user",
        object_id=user.pk,
        summary=f"停用账号 {user.username}，吊销令牌 {revoked} 个",
    )
    return revoked


@transaction.atomic
def user_activate(*, actor: User | None, user: User) -> None:
    User.objects.filter(pk=user.pk).update(is_active=True)
    user.is_active = True
    _record_change(user, actor, "启用")
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        object_type="user",
        object_id=user.pk,
        summary=f"启用账号 {user.username}（API 令牌需重新签发）",
    )


# ------------------------------------------------------------------ API tokens


def token_lifetime() -> dt.timedelta:
    return dt.timedelta(days=settings.API_TOKEN_DAYS)


@transaction.atomic
def token_issue(*, actor: User | None, user: User, label: str = "") -> str:
    """Return a new token once; only its digest is kept. It expires after API_TOKEN_DAYS."""
    token = secrets.token_urlsafe(32)
    expires = timezone.now() + token_lifetime()
    ApiToken.objects.create(user=user, digest=token_digest(token), label=label, expires_at=expires)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.TOKEN_CREATE,
        object_type="user",
        object_id=user.pk,
        summary=f"为 {user.username} 签发 API 令牌（{timezone.localtime(expires):%Y-%m-%d} 过期）",
    )
    return token


def _revoke(user: User) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def token_revoke(*, actor: User | None, user: User) -> int:
    """Revoke every live token of a user (a leaked token is not told apart from the others)."""
    revoked = _revoke(user)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        object_type="user",
        object_id=user.pk,
        summary=f"吊销 {user.username} 的 API 令牌 {revoked} 个",
    )
    return revoked


def token_user(token: str) -> User:
    """The user of a live token, or TokenError saying (in Chinese) why not."""
    row = ApiToken.objects.select_related("user").filter(digest=token_digest(token)).first()
    if row is None or row.revoked_at is not None or not row.user.is_active:
        raise TokenError("未提供有效的令牌")
    now = timezone.now()
    if row.expires_at is not None and row.expires_at <= now:
        raise TokenError(f"令牌已于 {timezone.localtime(row.expires_at):%Y-%m-%d %H:%M} 过期，请联系系统管理员重新签发")
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


def user_for_token(token: str) -> User | None:
    try:
        return token_user(token)
    except TokenError:
        return None


# ------------------------------------------------------------------ login


class LoginError(ValueError):
    pass


BAD_CREDENTIALS = "用户名或密码错误"


def _blocked_message(until: dt.datetime) -> str:
    # The same words for real, unknown and deactivated accounts: nothing tells them apart.
    minutes = max(1, -(-int((until - timezone.now()).total_seconds()) // 60))
    return f"登录失败次数过多，请 {minutes} 分钟后再试"


def _backoff(failures: int, max_failures: int) -> dt.timedelta | None:
    """None below the threshold, then base, 2×base, 4×base … capped: never a permanent lock."""
    if failures < max_failures:
        return None
    seconds = settings.LOGIN_BACKOFF_SECONDS * 2 ** min(failures - max_failures, 20)
    return dt.timedelta(seconds=min(seconds, settings.LOGIN_BACKOFF_MAX_SECONDS))


def login_attempt(*, request: HttpRequest, username: str, password: str, max_failures: int | None = None) -> User:
    """Authenticate; repeated failures of one name from one address wait longer and longer."""
    max_failures = max_failures or settings.LOGIN_MAX_FAILURES
    ip = client_ip(request)
    username = username[:150]
    throttle = LoginThrottle.objects.filter(username=username, client_ip=ip).first()
    if throttle is not None and throttle.blocked_until is not None and throttle.blocked_until > timezone.now():
        audit_record(
            actor=None,
            action=AuditEvent.Action.LOGIN_FAILED,
            object_type="user",
            object_id=_user_pk(username),
            summary=f"账号 {username} 在限制期内尝试登录",
            client_ip=ip,
        )
        raise LoginError(_blocked_message(throttle.blocked_until))
    authed = authenticate(request, username=username, password=password)
    if authed is None:
        _login_failed(username, ip, max_failures)
        raise LoginError(BAD_CREDENTIALS)
    LoginThrottle.objects.filter(username=username, client_ip=ip).delete()
    audit_record(
        actor=authed,
        action=AuditEvent.Action.LOGIN,
        object_type="user",
        object_id=authed.pk,
        summary="登录",
        client_ip=ip,
    )
    return authed


def _user_pk(username: str) -> str | int:
    return User.objects.filter(username=username).values_list("pk", flat=True).first() or ""


def _login_failed(username: str, ip: str, max_failures: int) -> None:
    audit_record(
        actor=None,
        action=AuditEvent.Action.LOGIN_FAILED,
        object_type="user",
        object_id=_user_pk(username),
        summary=f"账号 {username} 登录失败",
        client_ip=ip,
    )
    now = timezone.now()
    try:
        with transaction.atomic():
            LoginThrottle.objects.get_or_create(username=username, client_ip=ip, defaults={"last_failure_at": now})
    except IntegrityError:  # a concurrent first failure created it
        pass
    LoginThrottle.objects.filter(username=username, client_ip=ip).update(
        failures=F("failures") + 1, last_failure_at=now
    )
    throttle = LoginThrottle.objects.get(username=username, client_ip=ip)
    delay = _backoff(throttle.failures, max_failures)
    if delay is None:
        return
    LoginThrottle.objects.filter(pk=throttle.pk).update(blocked_until=now + delay)
    audit_record(
        actor=None,
        action=AuditEvent.Action.LOCKED,
        object_type="user",
        object_id=_user_pk(username),
        summary=f"账号 {username} 自 {ip} 连续 {throttle.failures} 次登录失败，"
        f"{int(delay.total_seconds())} 秒内拒绝登录",
        client_ip=ip,
    )


def login_blocked_until(username: str) -> dt.datetime | None:
    """The latest end of a throttle on this account name (any address), for the users page."""
    row = (
        LoginThrottle.objects.filter(username=username, blocked_until__gt=timezone.now())
        .order_by("-blocked_until")
        .first()
    )
    return row.blocked_until if row else None


@transaction.atomic
def user_unlock(*, actor: User | None, user: User) -> None:
    LoginThrottle.objects.filter(username=user.username).delete()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        object_type="user",
        object_id=user.pk,
        summary=f"解除账号 {user.username} 的登录限制",
    )
