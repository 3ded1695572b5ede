"""Item 5: throttling by account AND client address with backoff; strangers cannot lock an account out."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import RequestFactory
from django.utils import timezone

from minzheng.accounts.models import LoginThrottle
from minzheng.accounts.services import LoginError, login_attempt, token_issue, user_for_token, user_unlock
from minzheng.audit.models import AuditEvent
from minzheng.testing import PASSWORD, Cast

STRANGER, OFFICE = "203.0.113.9", "10.0.0.7"


def attempt(username: str, password: str, ip: str) -> object:
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=ip)
    return login_attempt(request=request, username=username, password=password)


def fail_times(n: int, username: str, ip: str) -> None:
    for _ in range(n):
        with pytest.raises(LoginError):
            attempt(username, "wrong-Pass1", ip)


def expire(username: str, ip: str) -> None:
    """Stand in for the clock: the current wait is over."""
    LoginThrottle.objects.filter(username=username, client_ip=ip).update(
        blocked_until=timezone.now() - dt.timedelta(seconds=1)
    )


def test_five_failures_make_this_address_wait_the_right_password_included(cast: Cast) -> None:
    fail_times(4, "lizhen", OFFICE)
    fail_times(1, "lizhen", OFFICE)
    with pytest.raises(LoginError, match="登录失败次数过多，请 1 分钟后再试"):
        attempt("lizhen", PASSWORD, OFFICE)
    locked = AuditEvent.objects.get(action=AuditEvent.Action.LOCKED)
    assert locked.client_ip == OFFICE and "60 秒内拒绝登录" in locked.summary
    expire("lizhen", OFFICE)
    assert attempt("lizhen", PASSWORD, OFFICE) == cast.town_officer  # never a permanent lock
    assert not LoginThrottle.objects.filter(username="lizhen").exists()  # success starts afresh


def test_backoff_doubles_and_is_capped(cast: Cast, settings: object) -> None:
    settings.LOGIN_BACKOFF_MAX_SECONDS = 300  # type: ignore[attr-defined]
    fail_times(5, "lizhen", OFFICE)
    waits = []
    for _ in range(4):
        row = LoginThrottle.objects.get(username="lizhen", client_ip=OFFICE)
        waits.append(round((row.blocked_until - row.last_failure_at).total_seconds()))  # type: ignore[operator]
        expire("lizhen", OFFICE)
        fail_times(1, "lizhen", OFFICE)
    assert waits == [60, 120, 240, 300]


def test_a_strangers_failures_do_not_lock_out_the_owner_elsewhere(cast: Cast) -> None:
    """An integration account keeps working from its own address (and its token) whatever strangers do."""
    token = token_issue(actor=None, user=cast.hotline_operator)
    fail_times(30, "rexian", STRANGER)
    with pytest.raises(LoginError, match="登录失败次数过多"):
        attempt("rexian", PASSWORD, STRANGER)
    assert attempt("rexian", PASSWORD, OFFICE) == cast.hotline_operator
    assert user_for_token(token) == cast.hotline_operator
    row = LoginThrottle.objects.get(username="rexian", client_ip=STRANGER)
    assert row.blocked_until - row.last_failure_at <= dt.timedelta(hours=1)  # type: ignore[operator]


def test_unknown_and_throttled_accounts_get_the_same_words(cast: Cast) -> None:
    for name in ("lizhen", "nobody-here"):
        fail_times(4, name, STRANGER)
        with pytest.raises(LoginError) as wrong:
            attempt(name, "wrong-Pass1", STRANGER)
        assert str(wrong.value) == "用户名或密码错误"
        with pytest.raises(LoginError) as blocked:
            attempt(name, "wrong-Pass1", STRANGER)
        assert str(blocked.value) == "登录失败次数过多，请 1 分钟后再试"


def test_admin_unlock_clears_every_address(cast: Cast) -> None:
    fail_times(5, "lizhen", STRANGER)
    fail_times(5, "lizhen", OFFICE)
    user_unlock(actor=cast.sysadmin, user=cast.town_officer)
    assert attempt("lizhen", PASSWORD, OFFICE) == cast.town_officer
    assert attempt("lizhen", PASSWORD, STRANGER) == cast.town_officer


def test_forged_forwarded_for_does_not_escape_the_throttle(cast: Cast) -> None:
    """Without a trusted proxy, X-Forwarded-For is the client's own claim: each forged value was a fresh counter."""
    for n in range(5):
        request = RequestFactory().post("/", REMOTE_ADDR=STRANGER, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        with pytest.raises(LoginError):
            login_attempt(request=request, username="lizhen", password="wrong-Pass1")
    request = RequestFactory().post("/", REMOTE_ADDR=STRANGER, HTTP_X_FORWARDED_FOR="198.51.100.99")
    with pytest.raises(LoginError, match="登录失败次数过多"):
        login_attempt(request=request, username="lizhen", password=PASSWORD)
