from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from minzheng.accounts.access import can_admin_users
from minzheng.accounts.forms import LoginForm, PasswordChangeForm, UserCreateForm, UserEditForm
from minzheng.accounts.models import LoginThrottle, User
from minzheng.accounts.services import (
    AccountError,
    LoginError,
    login_attempt,
    password_change,
    token_revoke,
    user_activate,
    user_create,
    user_deactivate,
    user_unlock,
    user_update,
)
from minzheng.audit.services import client_ip
from minzheng.core.decorators import login_required, role_required
from minzheng.core.jurisdiction import prefix_q


def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            user = login_attempt(
                request=request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
            )
        except LoginError as exc:
            error = str(exc)
        else:
            login(request, user)
            target = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = "/"
            return redirect(target or "/")
    return render(request, "accounts/login.html", {"form": form, "error": error})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


def _add_errors(form: Form, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        form.add_error("password", exc)
    else:
        form.add_error(None, str(exc))


def _within_admin(request: HttpRequest, jurisdiction: str) -> None:
    if not jurisdiction.strip().startswith(request.user.jurisdiction):  # type: ignore[union-attr]
        raise AccountError(f"管辖范围“{jurisdiction}”超出您的管辖范围 {request.user.jurisdiction}")  # type: ignore[union-attr]


@role_required(can_admin_users)
def users(request: HttpRequest) -> HttpResponse:
    """System administrators: the accounts inside their jurisdiction; create, stop, revoke, unlock."""
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _within_admin(request, data["jurisdiction"])
            user = user_create(actor=request.user, **data)  # type: ignore[arg-type]
        except (AccountError, ValidationError) as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"已创建账号 {user.username}")
            return redirect("accounts:users")
    now = timezone.now()
    blocked = set(LoginThrottle.objects.filter(blocked_until__gt=now).values_list("username", flat=True))
    rows = (
        User.objects.filter(prefix_q("jurisdiction", request.user.jurisdiction))  # type: ignore[union-attr]
        .annotate(live_tokens=Count("api_tokens", filter=Q(api_tokens__revoked_at__isnull=True)))
        .order_by("username")
    )
    for row in rows:
        row.login_blocked = row.username in blocked  # type: ignore[attr-defined]
    context = {"form": form, "rows": rows}
    return render(request, "accounts/users.html", context, status=400 if form.errors else 200)


def _target(request: HttpRequest, user_id: int) -> User:
    target = User.objects.filter(prefix_q("jurisdiction", request.user.jurisdiction), pk=user_id).first()  # type: ignore[union-attr]
    if target is None:
        raise Http404("账号不存在")
    return target


@role_required(can_admin_users)
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    target = _target(request, user_id)
    initial = {
        "display_name": target.display_name,
        "role": target.role,
        "jurisdiction": target.jurisdiction,
        "unit": target.unit,
    }
    form = UserEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _within_admin(request, data["jurisdiction"])
            user_update(actor=request.user, user=target, **data)  # type: ignore[arg-type]
        except (AccountError, ValidationError) as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"已修改账号 {target.username}")
            return redirect("accounts:users")
    context = {"form": form, "target": target}
    return render(request, "accounts/user_edit.html", context, status=400 if form.errors else 200)


@require_POST
@role_required(can_admin_users)
def unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    target = _target(request, user_id)
    user_unlock(actor=request.user, user=target)  # type: ignore[arg-type]
    messages.success(request, f"已解除账号 {target.username} 的登录限制")
    return redirect("accounts:users")


@require_POST
@role_required(can_admin_users)
def deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    target = _target(request, user_id)
    try:
        revoked = user_deactivate(actor=request.user, user=target)  # type: ignore[arg-type]
    except AccountError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已停用账号 {target.username}，吊销 API 令牌 {revoked} 个")
    return redirect("accounts:users")


@require_POST
@role_required(can_admin_users)
def activate(request: HttpRequest, user_id: int) -> HttpResponse:
    target = _target(request, user_id)
    user_activate(actor=request.user, user=target)  # type: ignore[arg-type]
    messages.success(request, f"已启用账号 {target.username}")
    return redirect("accounts:users")


@require_POST
@role_required(can_admin_users)
def revoke_tokens(request: HttpRequest, user_id: int) -> HttpResponse:
    target = _target(request, user_id)
    revoked = token_revoke(actor=request.user, user=target)  # type: ignore[arg-type]
    messages.success(request, f"已吊销 {target.username} 的 API 令牌 {revoked} 个")
    return redirect("accounts:users")


@login_required
def password_view(request: HttpRequest) -> HttpResponse:
    """Every user changes their own password here."""
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            password_change(
                user=request.user,  # type: ignore[arg-type]
                old_password=data["old_password"],
                new_password=data["new_password"],
                client_ip=client_ip(request),
            )
        except AccountError as exc:
            form.add_error("old_password" if str(exc).startswith("原密码") else "new_password", str(exc))
        except ValidationError as exc:
            form.add_error("new_password", exc)
        else:
            update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
            messages.success(request, "密码已修改")
            return redirect("portal:home")
    return render(request, "accounts/password.html", {"form": form}, status=400 if form.errors else 200)
