from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from minzheng.accounts.access import can_admin_users
from minzheng.accounts.forms import LoginForm, UserCreateForm
from minzheng.accounts.models import User
from minzheng.accounts.services import AccountError, LoginError, login_attempt, user_create, user_unlock
from minzheng.core.decorators import role_required
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
                max_failures=settings.LOGIN_MAX_FAILURES,
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


@role_required(can_admin_users)
def users(request: HttpRequest) -> HttpResponse:
    """System administrators: the accounts inside their jurisdiction; create and unlock."""
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if not data["jurisdiction"].startswith(request.user.jurisdiction):
                raise AccountError(f"管辖范围“{data['jurisdiction']}”超出您的管辖范围 {request.user.jurisdiction}")
            user = user_create(actor=request.user, **data)
        except AccountError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form.add_error("password", exc)
        else:
            messages.success(request, f"已创建账号 {user.username}")
            return redirect("accounts:users")
    rows = User.objects.filter(prefix_q("jurisdiction", request.user.jurisdiction)).order_by("username")
    return render(request, "accounts/users.html", {"form": form, "rows": rows}, status=400 if form.errors else 200)


@require_POST
@role_required(can_admin_users)
def unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    target = User.objects.filter(prefix_q("jurisdiction", request.user.jurisdiction), pk=user_id).first()
    if target is None:
        raise Http404("账号不存在")
    user_unlock(actor=request.user, user=target)
    messages.success(request, f"已解锁账号 {target.username}")
    return redirect("accounts:users")
