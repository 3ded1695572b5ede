"""The auditor's page: filters, paging, read-only, and nobody else may open it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from minzheng.accounts.models import User
from minzheng.audit.models import AuditEvent
from minzheng.audit.services import audit_record
from minzheng.testing import Cast


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def shown_ids(html: str) -> list[str]:
    """The object ids in the 对象 column, in page order."""
    return re.findall(r'<td data-label="对象">居民 (\d+)</td>', html)


def record_views(actor: User, n: int) -> None:
    for i in range(1, n + 1):
        audit_record(actor=actor, action=AuditEvent.Action.VIEW, object_type="person", object_id=i, summary="查看")


@pytest.mark.parametrize("who", ["village_worker", "town_officer", "county_approver", "caregiver", "provider"])
def test_only_auditors_and_sysadmins_open_the_audit_page(cast: Cast, who: str) -> None:
    assert client_for(getattr(cast, who)).get("/audit/").status_code == 404


def test_auditor_filters_by_user_action_and_object(cast: Cast) -> None:
    record_views(cast.town_officer, 3)
    audit_record(actor=cast.village_worker, action=AuditEvent.Action.VIEW, object_type="person", object_id=2)
    audit_record(
        actor=cast.town_officer, action=AuditEvent.Action.UNMASK, object_type="person", object_id=2, reason="核实"
    )
    client = client_for(cast.auditor)
    html = client.get("/audit/", {"username": "lizhen", "action": "view"}).content.decode()
    assert shown_ids(html) == ["3", "2", "1"] and "共 3 条" in html
    html = client.get("/audit/", {"object_type": "person", "object_id": "2"}).content.decode()
    assert shown_ids(html) == ["2", "2", "2"]
    assert '<td data-label="事由" class="wide">核实</td>' in html
    assert client_for(cast.sysadmin).get("/audit/", {"username": "wangcun"}).content.decode().count("居民 2") == 1


def test_date_range_is_inclusive_and_checked(cast: Cast) -> None:
    record_views(cast.town_officer, 2)
    today = timezone.localdate()
    client = client_for(cast.auditor)
    only_today = {"username": "lizhen", "date_from": today, "date_to": today}
    assert shown_ids(client.get("/audit/", only_today).content.decode()) == ["2", "1"]
    yesterday = today - dt.timedelta(days=1)
    assert "共 0 条" in client.get("/audit/", {"username": "lizhen", "date_to": yesterday}).content.decode()
    wrong = client.get("/audit/", {"date_from": today, "date_to": yesterday}).content.decode()
    assert "起始日期不能晚于截止日期" in wrong and "共 0 条" in wrong


def test_pages_of_fifty(cast: Cast) -> None:
    record_views(cast.town_officer, 120)
    client = client_for(cast.auditor)
    first = client.get("/audit/", {"username": "lizhen"}).content.decode()
    assert shown_ids(first) == [str(i) for i in range(120, 70, -1)]
    assert "第 1 / 3 页" in first and 'href="?username=lizhen&amp;page=2">下一页</a>' in first
    last = client.get("/audit/", {"username": "lizhen", "page": 3}).content.decode()
    assert shown_ids(last) == [str(i) for i in range(20, 0, -1)]
    assert "上一页" in last and "下一页" not in last


def test_audit_page_is_read_only(cast: Cast) -> None:
    record_views(cast.town_officer, 1)
    client = client_for(cast.auditor)
    assert client.post("/audit/", {"username": "lizhen"}).status_code == 405
    html = client.get("/audit/").content.decode()
    assert 'method="post"' not in html.split("<main", 1)[1]  # only the logout form, in the top bar
    assert AuditEvent.objects.filter(actor_username="lizhen").count() == 1


def test_every_audited_object_type_has_a_chinese_label() -> None:
    """The audit search filters by object type: a type written by any app but unlabelled would be unfindable."""
    import re
    from pathlib import Path

    from minzheng.audit.forms import OBJECT_TYPES

    root = Path(__file__).resolve().parents[2]
    pattern = re.compile(r'object_type="([a-z_]+)"')
    used = {m for f in root.rglob("*.py") if "tests" not in f.parts for m in pattern.findall(f.read_text("utf-8"))}
    assert used, "no audited object types found: the scan is broken"
    assert sorted(used - OBJECT_TYPES.keys()) == []
