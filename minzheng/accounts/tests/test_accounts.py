from __future__ import annotations

import pytest
from typer.testing import CliRunner

from minzheng.accounts.models import User
from minzheng.accounts.services import (
    AccountError,
    user_create,
    user_for_token,
)
from minzheng.cli import app


def test_unknown_role_and_bad_jurisdiction(db: None) -> None:
    with pytest.raises(AccountError, match="未知角色“boss”"):
        user_create(actor=None, username="x", role="boss", jurisdiction="3302")
    with pytest.raises(AccountError, match="管辖范围“浙江”应为区划代码"):
        user_create(actor=None, username="x", role="auditor", jurisdiction="浙江")


def test_cli_creates_user_and_prints_working_token(county: None) -> None:
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
