"""View decorators. Role checks answer 404, like out-of-jurisdiction objects."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required as django_login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect

View = Callable[..., HttpResponse]


def login_required(view: View) -> View:
    """Django's login_required, except for htmx requests (job polling, live search).

    A session that idled out would otherwise answer the poll with the login form, which htmx
    swaps into the progress card; HX-Redirect sends the whole page to the login form instead.
    """
    redirecting = django_login_required(view)

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated or not request.htmx:  # type: ignore[attr-defined]
            return redirecting(request, *args, **kwargs)
        page = request.htmx.current_url_abs_path or request.get_full_path()  # type: ignore[attr-defined]
        return HttpResponseClientRedirect(f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': page})}")

    return wrapped


def role_required(check: Callable[[Any], bool]) -> Callable[[View], View]:
    """Login first; then the role check from accounts.access, or 404."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not check(request.user):
                raise Http404("无权访问或页面不存在")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
