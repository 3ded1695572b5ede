"""Item 5: password rules of 等保 三级 (≥ 10 characters, ≥ 3 of 4 classes) on create, change and the CLI."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from typer.testing import CliRunner

from minzheng.accounts.models import User
from minzheng.accounts.services import password_change, user_create
from minzheng.cli import app
from minzheng.demo.accounts import DEMO_PASSWORD
from minzheng.testing import PASSWORD, TOWN_A, Cast


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Ab1#xyz", "密码至少 10 位"),  # 7 characters, 4 classes
        ("zhangsan2026", "至少 3 类"),  # long, two classes: Django's default let it through
        ("Minzhengbureau", "至少 3 类"),
        ("MINZHENG2026", "至少 3 类"),
    ],
)
def test_weak_passwords_are_refused_in_chinese(db: None, password: str, reason: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_password(password)
    assert any(reason in m for m in info.value.messages), info.value.messages


@pytest.mark.parametrize("password", [DEMO_PASSWORD, PASSWORD, "Village#2026x", "tiger-lily-2026", "Qz8*Pw5!Ln"])
def test_demo_cast_and_strong_passwords_pass(db: None, password: str) -> None:
    validate_password(password)


def test_create_refuses_a_weak_password(county: None) -> None:
    with pytest.raises(ValidationError, match="至少 3 类"):
        user_create(actor=None, username="weak", role="auditor", jurisdiction="3302", password="zhangsan2026")
    assert not User.objects.filter(username="weak").exists()


def test_cli_create_refuses_a_weak_password(county: None) -> None:
    out = CliRunner().invoke(
        app,
        [
            "users",
            "create",
            "--username",
            "w",
            "--role",
            "town_officer",
            "--jurisdiction",
            TOWN_A,
            "--password",
            "abcdefgh12",
        ],
    )
    assert out.exit_code == 1 and "密码不符合要求" in out.output and "至少 3 类" in out.output
    out = CliRunner().invoke(app, ["users", "set-password", "lizhen", "--password", "short1A"])
    assert out.exit_code == 1  # no such user yet: the cast is not loaded here


def test_user_changes_own_password_on_the_page(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.town_officer)
    assert 'href="/accounts/password/">修改密码</a>' in client.get("/accounts/password/").content.decode()
    weak = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password": "lizhen20261", "new_password2": "lizhen20261"},
    )
    assert weak.status_code == 400 and "至少 3 类" in weak.content.decode()
    wrong = client.post(
        "/accounts/password/",
        {"old_password": "Wrong#Pass1", "new_password": "Lizhen#20261", "new_password2": "Lizhen#20261"},
    )
    assert wrong.status_code == 400 and "原密码不正确" in wrong.content.decode()
    ok = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password": "Lizhen#20261", "new_password2": "Lizhen#20261"},
    )
    assert ok.status_code == 302
    assert client.get("/accounts/password/").status_code == 200  # the session survives its own change
    assert User.objects.get(pk=cast.town_officer.pk).check_password("Lizhen#20261")
    assert Client().post("/accounts/login/", {"username": "lizhen", "password": "Lizhen#20261"}).status_code == 302


def test_password_change_service_refuses_reuse(cast: Cast) -> None:
    from minzheng.accounts.services import AccountError

    with pytest.raises(AccountError, match="新密码不能与原密码相同"):
        password_change(user=cast.auditor, old_password=PASSWORD, new_password=PASSWORD)


def test_anonymous_cannot_open_the_password_page(db: None) -> None:
    assert Client().get("/accounts/password/")["Location"].startswith("/accounts/login/")
