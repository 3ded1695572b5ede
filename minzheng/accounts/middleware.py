"""Request-wide safety: idle sessions that polling cannot keep alive, and a Content-Security-Policy."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

POLL_HEADER = "X-Minzheng-Poll"
# A part a page loads by itself right after loading (hx-trigger="load"): the page's own request has
# just pushed the session on and drawn the top bar, so the part needs neither (one database write
# and the navigation's permission checks fewer per household page, the busiest page of a town office).
FRAGMENT_HEADER = "X-Minzheng-Fragment"

# Scripts only from our own origin (the vendored htmx, door.js, Swagger UI's bundle): an injected
# <script> or on…= attribute does not run. Inline style attributes stay allowed: progress bars
# set their width that way, and a style cannot run code.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def is_poll(request: HttpRequest) -> bool:
    """A request a page makes by itself on a timer (hx-trigger="every …" with the poll header)."""
    return request.headers.get(POLL_HEADER) == "1"


def is_page_part(request: HttpRequest) -> bool:
    """A part of a page, loaded by the page itself (hx-trigger="load" with the fragment header)."""
    return request.headers.get(FRAGMENT_HEADER) == "1"


def session_idle(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """Push a logged-in session's idle expiry on for what a person does, never for a page's polling.

    Replaces SESSION_SAVE_EVERY_REQUEST, which let a page left open on a job or the hotline
    console keep its session alive for ever. Sits after SessionMiddleware in MIDDLEWARE, so
    it marks the session before SessionMiddleware decides whether to save it.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not (is_poll(request) or is_page_part(request)) and not session.is_empty():
            session.modified = True
        return response

    return middleware


def content_security_policy(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        return response

    return middleware
