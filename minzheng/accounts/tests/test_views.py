from __future__ import annotations

from django.test import Client

from minzheng.accounts.models import User
from minzheng.audit.models import AuditEvent
from minzheng.testing import PASSWORD, Cast


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_only_sysadmin_manages_accounts(cast: Cast) -> None:
    assert as_user(cast.town_officer).get("/accounts/users/").status_code == 404
    html = as_user(cast.sysadmin).get("/accounts/users/").content.decode()
    assert "wangcun" in html and 'href="/accounts/users/">账号管理</a>' in html


def test_create_user_checks_password_and_jurisdiction(cast: Cast) -> None:
    client = as_user(cast.sysadmin)
    form = {
        "username": "newcun",
        "display_name": "新村",
        "role": "village_worker",
        "jurisdiction": "330212100206",
        "password": "12345678",
    }
    weak = client.post("/accounts/users/", form)
    assert weak.status_code == 400 and "这个密码太常见了。" in weak.content.decode()
    outside = client.post("/accounts/users/", {**form, "jurisdiction": "3301", "password": "Village#2026x"})
    assert "管辖范围“3301”超出您的管辖范围 330212" in outside.content.decode()
    ok = client.post("/accounts/users/", {**form, "password": "Village#2026x"})
    assert ok.status_code == 302
    assert User.objects.get(username="newcun").role == "village_worker"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.USER_CREATE, actor_username="guanli").count() == 1


def test_unlock(cast: Cast) -> None:
    for _ in range(5):
        Client().post("/accounts/login/", {"username": "lizhen", "password": "错"})
    blocked = Client().post("/accounts/login/", {"username": "lizhen", "password": PASSWORD})
    assert "登录失败次数过多，请 1 分钟后再试" in blocked.content.decode()
    admin = as_user(cast.sysadmin)
    assert "登录受限" in admin.get("/accounts/users/").content.decode()
    admin.post(f"/accounts/users/{cast.town_officer.pk}/unlock/")
    assert Client().post("/accounts/login/", {"username": "lizhen", "password": PASSWORD}).status_code == 302


def test_login_goes_to_next_only_on_this_site(cast: Cast) -> None:
    form = {"username": "lizhen", "password": PASSWORD}
    inside = Client().post("/accounts/login/?next=/registry/%3Fq%3D%E5%BC%A0", form)
    assert inside["Location"] == "/registry/?q=%E5%BC%A0"
    outside = Client().post("/accounts/login/?next=https://evil.example/", form)
    assert outside["Location"] == "/"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN, actor_username="lizhen").count() == 2


def test_logout_is_a_post(cast: Cast) -> None:
    client = as_user(cast.town_officer)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/").status_code == 200
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/accounts/login/"
    assert client.get("/")["Location"] == "/accounts/login/?next=/"


def test_login_page_in_chinese_on_a_phone(db: None) -> None:
    html = Client().get("/accounts/login/").content.decode()
    assert '<html lang="zh-Hans">' in html and 'name="viewport"' in html
    assert "连续 5 次密码错误须等待后再试，等待时间逐次加倍；闲置 30 分钟需重新登录。" in html
    assert '<nav class="nav">' not in html  # nothing to navigate to before logging in
