"""The register, applications through their machines, renaming, signs on the 待办, standard addresses."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from minzheng.audit.models import AuditEvent
from minzheng.placenames import services
from minzheng.placenames.items import OVERDUE_SOURCE, SIGN_SOURCE
from minzheng.placenames.models import NamingApplication, PlaceName, Sign
from minzheng.placenames.services import ApplicationData, NameData, PlaceNameError
from minzheng.testing import PASSWORD, TOWN_A, VILLAGE_A, Cast, make_household
from minzheng.workdays.selectors import add_working_days
from minzheng.workflow.services import TransitionRefused
from minzheng.workitems.models import WorkItem
from minzheng.workitems.services import refresh

ROAD = "330212100201"
TOWN_B_VILLAGE = "330212101200"  # 咸祥镇的一个村


def _road(name: str = "瞻岐路", division: str = ROAD, **extra: object) -> PlaceName:
    return services.place_register(NameData(name, "road", division, "合一村至镇区", **extra), actor=None)  # type: ignore[arg-type]


def _apply(cast: Cast, kind: str = "name", name: str = "东海路", place: PlaceName | None = None) -> NamingApplication:
    data = ApplicationData(
        kind, name, "road", VILLAGE_A, "瞻岐镇人民政府", "新建道路，长 1.2 公里", "新区道路命名", place
    )
    return services.application_receive(data, actor=cast.placename_officer)


def test_register_refuses_a_duplicate_in_the_county_and_foreign_letters(cast: Cast) -> None:
    road = _road()
    assert (road.code, road.roman, road.roman_sign) == ("DM330212-000001", "Zhānqí Lù", "Zhanqi Lu")
    with pytest.raises(PlaceNameError, match="同一县内不得重名"):
        _road(division=TOWN_B_VILLAGE)
    with pytest.raises(PlaceNameError, match="外文字母"):
        _road("CBD路")


def test_naming_runs_to_the_announcement_with_four_eyes(cast: Cast) -> None:
    _road("冬海路", division=TOWN_B_VILLAGE, lat=29.8)  # sounds the same: a warning for the review
    with pytest.raises(PlaceNameError, match="同一县内不得重名"):
        _apply(cast, name="冬海路")  # the same name is refused at the window
    app = _apply(cast, name="东海路")
    assert services.name_warnings(app.proposed_name, app.division_code) == ["县内有同音地名：冬海路（Donghai Lu）"]
    officer, approver = cast.placename_officer, cast.county_approver
    services.application_move(app, "review", actor=officer)
    with pytest.raises(PlaceNameError, match="专家论证意见"):
        services.application_move(app, "publicity", actor=officer)
    services.application_move(
        app, "publicity", actor=officer, fields={"expert_opinion": "同意", "publicity_until": timezone.localdate()}
    )
    services.application_move(app, "approval", actor=officer)
    with pytest.raises(TransitionRefused):  # the one who received it may not record the approval
        services.application_move(app, "approved", actor=officer, fields={"approval_no": "鄞政地〔2026〕1号"})
    services.application_move(app, "approved", actor=approver, fields={"approval_no": "鄞政地〔2026〕1号"})
    assert app.stage_due_on == timezone.localdate() + dt.timedelta(days=15)  # 条例第十四条
    services.application_move(app, "announced", actor=officer)
    app.refresh_from_db()
    assert app.place is not None and app.place.approval_no == "鄞政地〔2026〕1号"
    assert app.place.announced_on == timezone.localdate() and app.place.roman == "Dōnghǎi Lù"


def test_publicity_cannot_end_early(cast: Cast) -> None:
    app = _apply(cast)
    services.application_move(app, "review", actor=cast.placename_officer)
    later = timezone.localdate() + dt.timedelta(days=3)
    services.application_move(
        app, "publicity", actor=cast.placename_officer, fields={"expert_opinion": "同意", "publicity_until": later}
    )
    with pytest.raises(PlaceNameError, match="公示到"):
        services.application_move(app, "approval", actor=cast.placename_officer)


def test_use_confirmation_is_due_in_one_working_day_and_overdue_goes_on_the_list(cast: Cast) -> None:
    estate = services.place_register(NameData("海韵花园", "estate", VILLAGE_A), actor=None)
    app = _apply(cast, "use", "海韵花园", estate)
    assert app.stage_due_on == add_working_days(timezone.localdate(), 1)
    NamingApplication.objects.filter(pk=app.pk).update(stage_due_on=timezone.localdate() - dt.timedelta(days=1))
    refresh(OVERDUE_SOURCE)
    item = WorkItem.objects.get(source=OVERDUE_SOURCE)
    assert (item.role, item.status) == ("placename_officer", "open")
    services.application_move(app, "accepted", actor=cast.placename_officer)
    refresh(OVERDUE_SOURCE)
    item.refresh_from_db()
    assert item.status == "resolved"


def test_rename_keeps_the_old_name_and_protected_names_stay(cast: Cast) -> None:
    road = _road()
    sign = services.sign_create(road, kind="路牌", location_text="路口", actor=cast.placename_officer)
    services.place_rename(road, "瞻岐大道", approval_no="鄞政地〔2026〕2号", reason="拓宽", actor=None)
    road.refresh_from_db()
    assert (road.name, road.roman_sign, road.changes.get().old_name) == ("瞻岐大道", "Zhanqi Dadao", "瞻岐路")
    sign.refresh_from_db()
    assert sign.condition == "faded" and "瞻岐大道" in sign.note  # the old sign must be replaced
    old = _road("古塘路")
    PlaceName.objects.filter(pk=old.pk).update(protected=True)
    old.refresh_from_db()
    with pytest.raises(PlaceNameError, match="保护名录"):
        services.place_rename(old, "新塘路", approval_no="x", reason="x", actor=None)


def test_a_damaged_sign_is_on_the_list_until_checked_good(cast: Cast) -> None:
    sign = services.sign_create(_road(), kind="路牌", location_text="路口", actor=cast.placename_officer)
    services.sign_check(sign, condition="damaged", note="撞弯", actor=cast.village_worker)
    refresh(SIGN_SOURCE)
    assert WorkItem.objects.filter(source=SIGN_SOURCE, status="open").count() == 1
    services.sign_check(sign, condition="good", actor=cast.placename_officer)
    refresh(SIGN_SOURCE)
    assert WorkItem.objects.filter(source=SIGN_SOURCE, status="open").count() == 0
    assert AuditEvent.objects.filter(object_type="placename_sign", action="update").count() == 2


def test_standard_address_only_on_a_road_of_the_county(cast: Cast) -> None:
    household, _ = make_household()
    road = _road()
    address = services.address_set(household, road, "18号", actor=cast.placename_officer)
    assert address.text == "瞻岐路18号"
    river = services.place_register(NameData("大嵩江", "natural", TOWN_A), actor=None)
    with pytest.raises(PlaceNameError, match="标准地址应写在"):
        services.address_set(household, river, "1号", actor=None)


def _client(user: object) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)  # type: ignore[attr-defined]
    return client


def test_pages_are_scoped_and_the_export_is_audited(cast: Cast) -> None:
    mine, theirs = _road(), _road("咸祥路", division=TOWN_B_VILLAGE)
    town = _client(cast.town_officer)
    assert town.get(f"/placenames/{mine.pk}/").status_code == 200
    assert town.get(f"/placenames/{theirs.pk}/").status_code == 404
    assert "咸祥路" not in town.get("/placenames/").content.decode()
    assert town.get("/placenames/applications/").status_code == 404  # applications are the county's
    response = _client(cast.placename_officer).get("/placenames/?export=xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert AuditEvent.objects.filter(object_type="place_name", action="export").exists()


def test_application_pages_take_every_step(cast: Cast) -> None:
    officer = _client(cast.placename_officer)
    form = {
        "kind": "name",
        "proposed_name": "东海路",
        "category": "road",
        "division_code": VILLAGE_A,
        "applicant": "瞻岐镇人民政府",
        "location_text": "新区",
        "reason": "新建道路",
    }
    response = officer.post("/placenames/applications/new/", form)
    app = NamingApplication.objects.get()
    assert response.status_code == 302 and app.status == "received"
    officer.post(f"/placenames/applications/{app.pk}/step/", {"to": "review"})
    page = officer.get(f"/placenames/applications/{app.pk}/").content.decode()
    assert "论证通过并公示" in page and "专家论证" in page
    refused = officer.post(f"/placenames/applications/{app.pk}/step/", {"to": "refused"}, follow=True)
    assert "理由" in refused.content.decode()  # a refusal needs its reason
    app.refresh_from_db()
    assert app.status == "review"


def test_public_lookup_needs_no_login_and_finds_old_names(cast: Cast) -> None:
    road = _road()
    services.place_rename(road, "瞻岐大道", approval_no="鄞政地〔2026〕2号", reason="拓宽", actor=None)
    page = Client().get("/placenames/lookup/", {"q": "瞻岐路"}).content.decode()
    assert "瞻岐大道" in page and "Zhānqí Dàdào" in page
    assert Sign.objects.count() == 0
