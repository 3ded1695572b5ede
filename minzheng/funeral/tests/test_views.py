"""Pages: the cremation and burial forms to the decided payments, the audited files, masked lists and export,
404 outside the role or the jurisdiction, the cemetery's plots, the clean-up ledger of a town, the 待办 for
ashes taken home and never laid to rest."""

from __future__ import annotations

import datetime as dt
import io

from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from minzheng.accounts.models import User
from minzheng.audit.models import AuditEvent
from minzheng.funeral import items, services
from minzheng.funeral.models import Assistant, Award, Burial, Campaign, Cemetery, Cremation, FuneralHome
from minzheng.registry.models import Person
from minzheng.registry.services import LOOKUP_REFUSED
from minzheng.testing import TOWN_A, VILLAGE_A, Cast
from minzheng.workitems.models import WorkItem
from minzheng.workitems.services import refresh

TODAY = timezone.localdate()


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ago(n: int) -> str:
    return (TODAY - dt.timedelta(days=n)).isoformat()


def _forms(family: list[Person], home: FuneralHome, cemetery: Cemetery) -> tuple[dict[str, object], dict[str, object]]:
    """The cremation form and the lawn-burial form for 张建国, his widow the family member and payee."""
    dead, widow = family[0], family[1]
    plot = cemetery.plots.order_by("number").first()
    assert plot is not None
    cremation = {
        "id_number": dead.id_number, "died_on": ago(5), "cremated_on": ago(3), "home": home.pk,
        "family_id_number": widow.id_number,
    }  # fmt: skip
    burial = {
        "id_number": dead.id_number, "burial_type": "草坪葬", "buried_on": ago(1), "plot": plot.pk,
        "payee_id_number": widow.id_number,
    }  # fmt: skip
    return cremation, burial


def test_forms_record_cremation_and_lawn_burial_and_show_the_reward(
    cast: Cast, standards: None, family: list[Person], home: FuneralHome, cemetery: Cemetery
) -> None:
    dead = family[0]
    officer = client_for(cast.funeral_officer)
    form, burial = _forms(family, home, cemetery)
    response = officer.post("/funeral/cremations/new/", {**form, "certificate_no": "HH-1"})
    cremation = Cremation.objects.get()
    assert response["Location"] == f"/funeral/cremations/{cremation.pk}/"
    page = officer.get("/funeral/").content.decode()
    assert "张**" in page and dead.id_number not in page  # masked list
    response = officer.post("/funeral/burials/new/", burial)
    b = Burial.objects.get()
    assert response["Location"] == f"/funeral/burials/{b.pk}/"
    page = officer.get(response["Location"]).content.decode()
    assert "节地生态安葬奖励" in page and "15,000.00" in page and "一次性发放" in page
    assert AuditEvent.objects.filter(object_type="funeral_burial", action="view").count() == 1
    data = officer.get("/funeral/burials/export/").content
    row = [c.value for c in load_workbook(io.BytesIO(data)).active[2]]
    assert row[0] == "张**" and row[5] == "草坪葬" and row[10] == 15000 and dead.id_number not in row
    assert AuditEvent.objects.filter(object_type="funeral_export").count() == 1
    # The village worker reads the burials of the village (masked), not the cremations; other towns: 404.
    assert "草坪葬" in client_for(cast.village_worker).get("/funeral/burials/").content.decode()
    assert client_for(cast.village_worker).get(f"/funeral/cremations/{cremation.pk}/").status_code == 404
    assert client_for(cast.other_town_officer).get(f"/funeral/burials/{b.pk}/").status_code == 404
    assert client_for(cast.marriage_registrar).get("/funeral/").status_code == 404


def test_a_form_error_names_the_field(cast: Cast, family: list[Person]) -> None:
    form = {"id_number": family[0].id_number, "died_on": ago(1), "cremated_on": ago(3)}
    page = client_for(cast.funeral_officer).post("/funeral/cremations/new/", form, follow=True).content.decode()
    assert "早于死亡日期" in page and not Cremation.objects.exists()


def test_plot_states_and_cemetery_page(cast: Cast, cemetery: Cemetery) -> None:
    officer = client_for(cast.funeral_officer)
    plot = cemetery.plots.order_by("number").first()
    assert plot is not None
    officer.post(f"/funeral/plots/{plot.pk}/state/", {"to": "reserved", "note": "王某预订"})
    plot.refresh_from_db()
    assert plot.state == "reserved"
    page = officer.get(f"/funeral/cemeteries/{cemetery.pk}/").content.decode()
    assert "已预订" in page and "C1-003" in page
    assert "瞻岐镇公益性公墓" in officer.get("/funeral/cemeteries/").content.decode()


def test_town_keeps_its_cleanup_ledger_and_exports_it(cast: Cast) -> None:
    town = client_for(cast.town_officer)
    town.post(
        "/funeral/cleanup/",
        {
            "form": "campaign",
            "name": "瞻岐镇清明整治",
            "division_code": TOWN_A,
            "starts_on": ago(10),
            "ends_on": ago(-30),
        },
    )
    campaign = Campaign.objects.get()
    town.post(
        "/funeral/cleanup/",
        {"form": "site", "campaign": campaign.pk, "division_code": VILLAGE_A, "location": "合一村后山", "graves": 6},
    )
    site = campaign.sites.get()
    town.post(f"/funeral/cleanup/{site.pk}/done/", {"action": "moved", "done_on": ago(1), "land_mu": "0.5"})
    site.refresh_from_db()
    assert (site.action, site.graves, str(site.land_mu)) == ("moved", 6, "0.50")
    assert client_for(cast.other_town_officer).post(f"/funeral/cleanup/{site.pk}/done/", {}).status_code == 404
    rows = list(load_workbook(io.BytesIO(town.get("/funeral/cleanup/export/").content)).active.values)
    assert rows[1][:4] == ("瞻岐镇清明整治", VILLAGE_A, "合一村后山", 6)


def test_assistant_per_village_and_ashes_item(cast: Cast, family: list[Person]) -> None:
    officer = client_for(cast.funeral_officer)
    officer.post("/funeral/assistants/", {"division_code": VILLAGE_A, "name": "王协理", "phone": "13805740000"})
    page = officer.get("/funeral/assistants/").content.decode()
    assert "王协理" in page and "138****0000" in page
    again = officer.post("/funeral/assistants/", {"division_code": VILLAGE_A, "name": "李协理"})
    assert "已有在任殡葬协理员" in again.content.decode() and Assistant.objects.count() == 1
    data = services.CremationData(family[0].id_number, TODAY - dt.timedelta(days=50), TODAY - dt.timedelta(days=48))
    c = services.cremation_record(data, actor=cast.funeral_officer)
    move = services.AshesMove("taken", TODAY - dt.timedelta(days=40), handled_by="李秀英")
    services.ashes_move(c, move, actor=cast.funeral_officer)
    refresh(items.SOURCE)
    item = WorkItem.objects.get(source=items.SOURCE, status="open")
    assert item.role == "funeral_officer" and "王协理" in item.title
    services.ashes_move(c, services.AshesMove("buried", TODAY, "合一村公墓"), actor=cast.funeral_officer)
    refresh(items.SOURCE)
    item.refresh_from_db()
    assert item.status == "resolved"
    assert Award.objects.filter(person=family[0], programme="funeral_basic").exists()


def test_typed_numbers_are_audited_and_rate_limited(
    cast: Cast, family: list[Person], home: FuneralHome, cemetery: Cemetery, settings: object
) -> None:
    settings.REGISTRY_LOOKUP_RATE = "2/minute"  # type: ignore[attr-defined]
    officer = client_for(cast.funeral_officer)
    form, burial = _forms(family, home, cemetery)
    assert officer.post("/funeral/cremations/new/", form).status_code == 302  # two numbers, two lookups
    page = officer.post("/funeral/burials/new/", burial, follow=True).content.decode()
    assert LOOKUP_REFUSED in page and not Burial.objects.exists()
    rows = AuditEvent.objects.filter(object_type="person_number").order_by("pk")
    assert [(r.data["purpose"], r.data["refused"]) for r in rows] == [
        ("火化登记", False), ("火化登记", False), ("安葬登记", True)
    ]  # fmt: skip
    assert family[0].id_number not in str(list(rows.values_list("summary", "data")))
