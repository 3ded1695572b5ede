"""Bearer-token authentication for the API (tokens from `minzheng users issue-token` or `users create --token`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from minzheng.accounts.services import TokenError, token_user


class TokenRefused(AuthenticationError):
    """401 with the Chinese reason (e.g. 令牌已过期) as the detail."""

    def __init__(self, detail: str) -> None:
        super().__init__()
        self.detail = detail


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        try:
            user = token_user(token)
        except TokenError as exc:
            raise TokenRefused(str(exc)) from exc
        request.user = user
        return user


def _bearer_user(request: HttpRequest) -> Any:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    try:
        return token_user(token.strip())
    except TokenError:
        return None


def docs_login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The API description is for staff and integrators: a logged-in session or a valid token.

    The interactive page sends people to the login page; openapi.json answers 401 JSON like the API.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated or _bearer_user(request) is not None:
            return view(request, *args, **kwargs)
        if request.path.endswith(".json"):
            body = {"detail": "请先登录或提供有效的令牌"}
            response = JsonResponse(body, status=401, json_dumps_params={"ensure_ascii": False})
            response["WWW-Authenticate"] = "Bearer"
            return response
        return redirect_to_login(request.get_full_path())

    return wrapped
