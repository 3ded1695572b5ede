"""Item 5: deactivate users and revoke tokens (page and CLI); tokens expire; a token only with --token."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone
from typer.testing import CliRunner

from minzheng.accounts.models import ApiToken, User
from minzheng.accounts.services import token_issue, user_deactivate, user_for_token
from minzheng.audit.models import AuditEvent
from minzheng.cli import app
from minzheng.testing import PASSWORD, TOWN_A, Cast

API = "/api/v1/persons?q=张"


def api_get(token: str) -> tuple[int, dict[str, object]]:
    response = Client().get(API, HTTP_AUTHORIZATION=f"Bearer {token}")
    return response.status_code, response.json()


def test_create_prints_a_token_only_when_asked(county: None) -> None:
    runner = CliRunner()
    base = ["users", "create", "--role", "town_officer", "--jurisdiction", TOWN_A]
    out = runner.invoke(app, [*base, "--username", "quiet"])
    assert out.exit_code == 0 and out.output.strip().splitlines() == [
        "已创建账号 quiet（乡镇（街道）民政办，管辖 330212100）"
    ]
    assert not ApiToken.objects.filter(user__username="quiet").exists()
    out = runner.invoke(app, [*base, "--username", "loud", "--token"])
    token = out.output.strip().splitlines()[-1]
    assert user_for_token(token) == User.objects.get(username="loud")


def test_tokens_expire_after_the_configured_days_with_a_chinese_401(cast: Cast, settings: object) -> None:
    settings.API_TOKEN_DAYS = 30  # type: ignore[attr-defined]
    token = token_issue(actor=None, user=cast.town_officer)
    row = ApiToken.objects.get(user=cast.town_officer)
    assert abs(row.expires_at - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(minutes=1)  # type: ignore[operator]
    assert api_get(token)[0] == 200
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    status, body = api_get(token)
    assert status == 401 and "令牌已于" in str(body["detail"]) and "过期" in str(body["detail"])
    assert user_for_token(token) is None
    assert api_get("forged")[1] == {"detail": "未提供有效的令牌"}


def test_revoke_on_the_page_and_in_the_cli(cast: Cast) -> None:
    first = token_issue(actor=None, user=cast.town_officer)
    admin = Client()
    admin.force_login(cast.sysadmin)
    assert "1 个有效" in admin.get("/accounts/users/").content.decode()
    admin.post(f"/accounts/users/{cast.town_officer.pk}/revoke-tokens/")
    assert api_get(first)[0] == 401
    second = token_issue(actor=None, user=cast.town_officer)
    out = CliRunner().invoke(app, ["users", "revoke-token", "lizhen"])
    assert out.exit_code == 0 and "已吊销账号 lizhen 的 API 令牌 1 个" in out.output
    assert api_get(second)[0] == 401
    assert AuditEvent.objects.filter(summary__startswith="吊销 lizhen 的 API 令牌").count() == 2


def test_deactivate_stops_login_sessions_and_tokens(cast: Cast) -> None:
    token = token_issue(actor=None, user=cast.town_officer)
    session = Client()
    session.force_login(cast.town_officer)
    assert session.get("/accounts/password/").status_code == 200
    admin = Client()
    admin.force_login(cast.sysadmin)
    admin.post(f"/accounts/users/{cast.town_officer.pk}/deactivate/")
    assert not User.objects.get(pk=cast.town_officer.pk).is_active
    assert "已停用" in admin.get("/accounts/users/").content.decode()
    assert session.get("/accounts/password/").status_code == 302  # the open session stops working
    assert api_get(token)[0] == 401
    login = Client().post("/accounts/login/", {"username": "lizhen", "password": PASSWORD})
    assert login.status_code == 200 and "用户名或密码错误" in login.content.decode()
    admin.post(f"/accounts/users/{cast.town_officer.pk}/activate/")
    assert Client().post("/accounts/login/", {"username": "lizhen", "password": PASSWORD}).status_code == 302
    assert api_get(token)[0] == 401  # tokens stay revoked: a new one must be issued


def test_cli_deactivate_and_issue_token(cast: Cast) -> None:
    runner = CliRunner()
    out = runner.invoke(app, ["users", "deactivate", "wangcun"])
    assert out.exit_code == 0 and "已停用账号 wangcun" in out.output
    out = runner.invoke(app, ["users", "issue-token", "wangcun"])
    assert out.exit_code == 1 and "已停用，不能签发令牌" in out.output
    runner.invoke(app, ["users", "activate", "wangcun"])
    out = runner.invoke(app, ["users", "issue-token", "wangcun"])
    assert user_for_token(out.output.strip()) == cast.village_worker
    out = runner.invoke(app, ["users", "deactivate", "nobody"])
    assert out.exit_code == 1 and "账号“nobody”不存在" in out.output


def test_admin_cannot_deactivate_self(cast: Cast) -> None:
    import pytest

    from minzheng.accounts.services import AccountError

    with pytest.raises(AccountError, match="不能停用自己的账号"):
        user_deactivate(actor=cast.sysadmin, user=cast.sysadmin)


def test_tokens_from_before_expiry_existed_get_a_lifetime(cast: Cast) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("minzheng.accounts.migrations.0003_token_expiry")
    token = token_issue(actor=None, user=cast.town_officer)
    ApiToken.objects.update(expires_at=None)  # as issued before migration 0002
    migration.set_expiry(apps, None)
    expires = ApiToken.objects.get().expires_at
    assert expires is not None and expires > timezone.now() + dt.timedelta(days=89)
    assert user_for_token(token) == cast.town_officer
