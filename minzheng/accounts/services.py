"""Accounts: create users, issue API tokens, log in with lock-out."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from minzheng.accounts.models import ApiToken, Role, User
from minzheng.audit.models import AuditEvent
from minzheng.audit.services import audit_record, client_ip
from minzheng.divisions import codes


class AccountError(ValueError):
    pass


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    role: str,
    jurisdiction: str,
    password: str | None = None,
    display_name: str = "",
) -> User:
    if role not in Role.values:
        raise AccountError(f"未知角色“{role}”，可选：{'、'.join(f'{r.value}（{r.label}）' for r in Role)}")
    if not jurisdiction.isdigit() or len(jurisdiction) > 12 or len(jurisdiction) < 2:
        raise AccountError(f"管辖范围“{jurisdiction}”应为区划代码前缀（2–12 位数字）")
    if User.objects.filter(username=username).exists():
        raise AccountError(f"账号“{username}”已存在")
    user = User(username=username, role=role, jurisdiction=jurisdiction, display_name=display_name)
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.USER_CREATE,
        object_type="user",
        object_id=user.pk,
        summary=f"创建账号 {username}（{Role(role).label}，管辖 {jurisdiction}）",
    )
    return user


def jurisdiction_significant(code: str) -> str:
    """Accept a 12-digit division code as a jurisdiction and keep its meaningful prefix."""
    return codes.significant(code) if len(code) == 12 else code


@transaction.atomic
def token_issue(*, actor: User | None, user: User, label: str = "") -> str:
    """Return a new token once; only its digest is kept."""
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, digest=token_digest(token), label=label)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.TOKEN_CREATE,
        object_type="user",
        object_id=user.pk,
        summary=f"为 {user.username} 签发 API 令牌",
    )
    return token


def user_for_token(token: str) -> User | None:
    row = ApiToken.objects.select_related("user").filter(digest=token_digest(token)).first()
    if row is None or not row.user.is_active or row.user.locked_at is not None:
        return None
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return row.user


class LoginError(ValueError):
    pass


def login_attempt(*, request: HttpRequest, username: str, password: str, max_failures: int = 5) -> User:
    """Authenticate; the 5th consecutive failure locks the account until an admin unlocks it."""
    ip = client_ip(request)
    user = User.objects.filter(username=username).first()
    if user is not None and user.locked_at is not None:
        audit_record(
            actor=None,
            action=AuditEvent.Action.LOGIN_FAILED,
            object_type="user",
            object_id=user.pk,
            summary=f"已锁定账号 {username} 尝试登录",
            client_ip=ip,
        )
        raise LoginError("账号已因连续登录失败被锁定，请联系系统管理员解锁")
    authed = authenticate(request, username=username, password=password)
    if authed is None:
        _login_failed(user, username, ip, max_failures)
        raise LoginError("用户名或密码错误")
    User.objects.filter(pk=authed.pk).update(failed_logins=0)
    audit_record(
        actor=authed,
        action=AuditEvent.Action.LOGIN,
        object_type="user",
        object_id=authed.pk,
        summary="登录",
        client_ip=ip,
    )
    return authed  # type: ignore[return-value]


def _login_failed(user: User | None, username: str, ip: str, max_failures: int) -> None:
    audit_record(
        actor=None,
        action=AuditEvent.Action.LOGIN_FAILED,
        object_type="user",
        object_id=user.pk if user else "",
        summary=f"账号 {username} 登录失败",
        client_ip=ip,
    )
    if user is None:
        return
    User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
    user.refresh_from_db(fields=["failed_logins"])
    if user.failed_logins >= max_failures:
        User.objects.filter(pk=user.pk, locked_at__isnull=True).update(locked_at=timezone.now())
        audit_record(
            actor=None,
            action=AuditEvent.Action.LOCKED,
            object_type="user",
            object_id=user.pk,
            summary=f"账号 {username} 连续 {user.failed_logins} 次登录失败，已锁定",
            client_ip=ip,
        )


@transaction.atomic
def user_unlock(*, actor: User | None, user: User) -> None:
    User.objects.filter(pk=user.pk).update(locked_at=None, failed_logins=0)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        object_type="user",
        object_id=user.pk,
        summary=f"解锁账号 {user.username}",
    )
