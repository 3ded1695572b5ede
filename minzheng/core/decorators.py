"""View decorators. Role checks answer 404, like out-of-jurisdiction objects."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


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
