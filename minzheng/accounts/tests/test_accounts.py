from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from typer.testing import CliRunner

from minzheng.accounts.models import User
from minzheng.accounts.services import (
    AccountError,
    LoginError,
    login_attempt,
    user_create,
    user_for_token,
    user_unlock,
)
from minzheng.audit.models import AuditEvent
from minzheng.cli import app
from minzheng.testing import PASSWORD, Cast


def test_unknown_role_and_bad_jurisdiction(db: None) -> None:
    with pytest.raises(AccountError, match="未知角色“boss”"):
        user_create(actor=None, username="x", role="boss", jurisdiction="3302")
    with pytest.raises(AccountError, match="管辖范围“浙江”应为区划代码前缀"):
        user_create(actor=None, username="x", role="auditor", jurisdiction="浙江")


def test_password_follows_django_validators(db: None) -> None:
    with pytest.raises(ValidationError):
        user_create(actor=None, username="weak", role="auditor", jurisdiction="3302", password="12345678")


def test_lock_after_five_failures(cast: Cast) -> None:
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="10.0.0.7")
    for _ in range(5):
        with pytest.raises(LoginError, match="用户名或密码错误"):
            login_attempt(request=request, username="lizhen", password="wrong")
    with pytest.raises(LoginError, match="账号已因连续登录失败被锁定"):
        login_attempt(request=request, username="lizhen", password=PASSWORD)
    locked = AuditEvent.objects.get(action=AuditEvent.Action.LOCKED)
    assert locked.client_ip == "10.0.0.7"
    user_unlock(actor=cast.sysadmin, user=cast.town_officer)
    assert login_attempt(request=request, username="lizhen", password=PASSWORD) == cast.town_officer


def test_cli_creates_user_and_prints_working_token(db: None) -> None:
    result = CliRunner().invoke(
        app,
        [
            "users",
            "create",
            "--username",
            "cun1",
            "--role",
            "village_worker",
            "--jurisdiction",
            "330212100201",
            "--token",
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == "已创建账号 cun1（村（社区）工作人员，管辖 330212100201）"
    assert user_for_token(lines[-1]) == User.objects.get(username="cun1")
    assert user_for_token("forged") is None
