"""The case pages as a town officer, a village worker and a county approver use them; the public 公示."""

from __future__ import annotations

import datetime as dt
from urllib.parse import unquote

import pytest
from django.test import Client
from django.utils import timezone

from minzheng.audit.models import AuditEvent
from minzheng.cases.models import Case, Letter
from minzheng.testing import Cast, make_household

TODAY = timezone.localdate()
pytestmark = pytest.mark.django_db


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _ago(n: int) -> str:
    return (TODAY - dt.timedelta(days=n)).isoformat()


def test_window_to_publicity_through_the_pages(cast: Cast) -> None:
    _, people = make_household()
    town = _client(cast.town_officer)
    page = town.get("/cases/window/", {"q": "张建国"})
    assert page.status_code == 200 and "受理申请" in page.content.decode()
    page = town.get("/cases/window/", {"person": people[0].pk})
    assert "最低生活保障" in page.content.decode()
    opened = town.post(
        "/cases/window/open/",
        {"case_type": "dibao", "applicant": people[0].pk, "received_on": _ago(20), "authorisation_no": "SQ-9"},
    )
    case = Case.objects.get()
    assert opened.status_code == 302 and unquote(opened["Location"]) == f"/cases/{case.case_no}/"
    detail = town.get(opened["Location"]).content.decode()
    assert "入户调查" in detail and "受理通知书" in detail and "330212197803154412" not in detail
    village = _client(cast.village_worker)
    survey = {"visited_on": _ago(18), "visitors": "王村，李镇", "findings": "无劳动能力", "on": _ago(18)}
    village.post(f"/cases/{case.case_no}/step/", {"to": "investigated", **survey})
    town.post(f"/cases/{case.case_no}/step/", {"to": "reviewed", "reason": "同意上报", "on": _ago(16)})
    town.post(f"/cases/{case.case_no}/step/", {"to": "publicised", "on": _ago(15)})
    case.refresh_from_db()
    assert case.status == "publicised"
    public = Client().get(f"/public/gongshi/{case.publicity.token}/").content.decode()
    assert "张**" in public and "张建国" not in public and "3302" not in public
    letter = case.letters.get(kind=Letter.Kind.ACCEPTED)
    pdf = town.get(f"/cases/{case.case_no}/letters/{letter.number}/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(object_type="letter", action="export").count() == 1
    assert AuditEvent.objects.filter(object_type="case", action="view").exists()


def test_refused_step_is_shown_in_chinese_and_nothing_changes(cast: Cast) -> None:
    _, people = make_household()
    town = _client(cast.town_officer)
    town.post("/cases/window/open/", {"case_type": "dibao", "applicant": people[0].pk, "received_on": _ago(1)})
    case = Case.objects.get()
    answer = town.post(f"/cases/{case.case_no}/step/", {"to": "confirmed", "reason": "同意"}, follow=True)
    assert "当前为「受理」，不能转为「审核确认」" in answer.content.decode()
    case.refresh_from_db()
    assert case.status == "accepted"


def test_outside_the_jurisdiction_is_404_and_window_refusal_letter(cast: Cast) -> None:
    _, people = make_household()
    town = _client(cast.town_officer)
    town.post("/cases/window/open/", {"case_type": "dibao", "applicant": people[0].pk, "received_on": _ago(1)})
    case = Case.objects.get()
    assert _client(cast.other_town_officer).get(f"/cases/{case.case_no}/").status_code == 404
    assert _client(cast.caregiver).get("/cases/").status_code == 404
    form = {"case_type": "tekun", "applicant": people[1].pk, "reasons": "申请人有劳动能力"}
    refused = town.post("/cases/window/refuse/", form, follow=True)
    assert "不予受理" in refused.content.decode() and "申请人有劳动能力" in refused.content.decode()
    letter = Letter.objects.get(kind=Letter.Kind.REFUSED)
    assert town.get(f"/cases/refusals/{letter.number}/pdf/").content.startswith(b"%PDF")
    assert _client(cast.other_town_officer).get(f"/cases/refusals/{letter.number}/pdf/").status_code == 404


def test_workitems_page_lists_my_stage_items(cast: Cast) -> None:
    _, people = make_household()
    town = _client(cast.town_officer)
    town.post("/cases/window/open/", {"case_type": "dibao", "applicant": people[0].pk, "received_on": _ago(30)})
    page = town.get("/workitems/").content.decode()
    assert Case.objects.get().case_no in page and "待入户调查" in page
    assert "救助案件（1）" in page and ">case_stage" not in page  # kinds are named in Chinese
    assert "超期" in town.get("/workitems/?tab=overdue").content.decode()
    assert Case.objects.get().case_no not in _client(cast.county_approver).get("/workitems/").content.decode()


def test_visit_photos_are_kept_with_the_step_and_read_back_audited(cast: Cast) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from minzheng.documents.models import Attachment

    _, people = make_household()
    town = _client(cast.town_officer)
    town.post(
        "/cases/window/open/",
        {"case_type": "dibao", "applicant": people[0].pk, "received_on": _ago(5), "authorisation_no": "SQ-1"},
    )
    case = Case.objects.get()
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    fake = SimpleUploadedFile("x.jpg", b"not an image")
    survey = {
        "to": "investigated",
        "visited_on": _ago(4),
        "visitors": "王村,李镇",
        "findings": "住房简陋",
        "on": _ago(4),
    }
    step = f"/cases/{case.case_no}/step/"
    answer = _client(cast.village_worker).post(step, {**survey, "photos": [fake]}, follow=True)
    assert "按文件内容识别" in answer.content.decode()
    case.refresh_from_db()
    assert case.status == "accepted" and not Attachment.objects.exists()
    good = SimpleUploadedFile("p.png", png)
    _client(cast.village_worker).post(step, {**survey, "photos": [good]})
    case.refresh_from_db()
    photo = Attachment.objects.get()
    assert case.status == "investigated" and case.visits.get().photos == [photo.pk]
    assert town.get(f"/cases/{case.case_no}/attachments/{photo.pk}/").content == png
    assert _client(cast.other_town_officer).get(f"/cases/{case.case_no}/attachments/{photo.pk}/").status_code == 404


def test_letters_and_publicity_name_the_county_bureau(cast: Cast) -> None:
    from minzheng.cases.views import _issuer

    assert _issuer("330212100201") == "宁波市鄞州区民政局"
