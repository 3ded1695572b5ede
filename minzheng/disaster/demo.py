"""灾害救助: what the demo county gets (called by minzheng.demo.build after payments and cases).

Made through the real services by the demo accounts (`zaihai` the county's disaster office, `zhen` the
town, `cun` the village, `xian` the county approver), with dates in the past: one typhoon over the demo
town with a 四级 response, three villages' assessments (one re-reported), a county reserve with four
items (one lot expiring soon: its 待办), materials issued to the demo village and signed for, one
过渡期生活救助 of a household of the demo town (opened at the town's window) confirmed by the rules and paid
in this month's payroll (approved, issued, reconciled), one 冬春救助 in 公示, and a warning whose calls were
answered but one (on the village's 待办).
Idempotent: nothing is added when an event exists. Fast: about forty writes.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from django.db.models import Count
from django.utils import timezone

from minzheng.accounts.models import User
from minzheng.cases import services as cases
from minzheng.core.jurisdiction import prefix_q
from minzheng.disaster import services, services_stock, services_warning
from minzheng.disaster.items import refresh_disaster_items
from minzheng.disaster.models import Event, Item, Kind, ReliefClaim, Warehouse
from minzheng.disaster.services_relief import relief_pay
from minzheng.divisions.models import Division
from minzheng.registry.models import Household


def _png(width: int = 120, height: int = 40) -> bytes:
    """A small PNG with one stroke: the demo's drawn signature (a real one comes from the phone's pad)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(
        b"\0" + bytes(0 if abs(y - height // 2 - (x % 20 - 10) // 3) < 2 else 255 for x in range(width))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


SIGNATURE = "data:image/png;base64," + base64.b64encode(_png()).decode()
ITEMS = (("MB", "棉被", "床", "生活类"), ("ZP", "帐篷", "顶", "住宿类"), ("ZDC", "折叠床", "张", "住宿类"),
         ("KS", "饮用水", "箱", "食品类"))  # fmt: skip


def _ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def _user(name: str) -> User | None:
    return User.objects.filter(username=name).first()


def demo_extend(built: Any, step: Any) -> None:
    step("灾害救助：台风事件、村灾情报送、过渡期生活救助发放、物资发放签收与预警叫应")
    office, town, village, approver = (_user(n) for n in ("zaihai", "zhen", "cun", "xian"))
    if None in (office, town, village, approver) or Event.objects.exists():
        return
    assert office and town and village and approver
    event = services.event_create(
        services.EventData(
            name="2026年第14号台风", kind="typhoon", areas=[town.jurisdiction], started_on=_ago(20), ended_on=_ago(15),
            response_level="Ⅳ", level_basis="县自然灾害救助应急预案：紧急转移安置人口超过阈值（县减灾委会商意见）",
            description="台风登陆带来强降雨，沿海村庄部分房屋倒塌，紧急转移安置群众。",
        ),
        actor=office,
    )  # fmt: skip
    _assessments(event, office, village)
    _materials(event, office, village)
    _relief(event, town, approver)
    _warning(event, office, village)
    refresh_disaster_items()


def _assessments(event: Event, office: User, village: User) -> None:
    villages = list(
        Division.objects.filter(level=5, code__startswith=village.jurisdiction[:9])
        .exclude(code=village.jurisdiction)
        .order_by("code")
        .values_list("code", flat=True)[:2]
    )
    figures = {"affected_persons": 86, "relocated_persons": 24, "transition_persons": 5, "houses_collapsed": 2,
               "houses_severe": 3, "houses_general": 9}  # fmt: skip
    services.assessment_report(event, village.jurisdiction, figures, loss_fen=38_000_000, note="首报", actor=village)
    figures |= {"affected_persons": 112, "relocated_persons": 31}
    services.assessment_report(event, village.jurisdiction, figures, loss_fen=45_600_000, note="续报", actor=village)
    for i, code in enumerate(villages):
        small = {"affected_persons": 40 + 10 * i, "relocated_persons": 6, "houses_general": 4 + i}
        services.assessment_report(event, code, small, loss_fen=9_000_000, note="首报", actor=office)


def _materials(event: Event, office: User, village: User) -> None:
    county = office.jurisdiction
    house = Warehouse.objects.create(
        code="YZ-JZ-01",
        name="鄞州区救灾物资储备库",
        division_code=county,
        address="区应急物资保障中心",
        keeper="储保管",
    )
    items = {code: Item.objects.create(code=code, name=n, unit=u, category=c) for code, n, u, c in ITEMS}
    lots = (("MB", "2024-01", 300, 700, None), ("ZP", "2023-05", 40, 900, None), ("ZDC", "2025-03", 120, 300, None),
            ("KS", "2026-02", 200, 250, 45), ("KS", "2026-09", 150, 80, 300))  # fmt: skip
    for code, batch, qty, ago, expires_in in lots:
        expires = timezone.localdate() + dt.timedelta(days=expires_in) if expires_in else None
        services_stock.lot_receive(
            house, items[code].pk, batch_no=batch, quantity=qty, received_on=_ago(ago), expires_on=expires,
            source="区级采购" if code != "ZP" else "省厅调拨", actor=office,
        )  # fmt: skip
    lines = [services_stock.Line(items[c].pk, n) for c, n in (("MB", 60), ("ZP", 8), ("ZDC", 30), ("KS", 40))]
    dist = services_stock.distribution_issue(
        house, village.jurisdiction, lines, event=event, actor=office, on=_ago(18), note="转移安置点使用"
    )
    services_stock.receipt_sign(dist, received_by="王网格", signature_png=SIGNATURE, actor=village)
    lot = dist.movements.filter(lot__item__code="ZDC").first()
    if lot is not None:
        services_stock.distribution_return(dist, lot.lot, 10, actor=office, reason="群众返家，折叠床未用完退回")


def _households(town: User) -> list[Household]:
    """Two households of the demo town (its window opens the claims), those without another demo's case
    first, then the larger. The demo county spreads its households thinly, so the town's few may have a
    低保 case too: a household on 低保 may get disaster relief as well (other programmes do not stand in
    the way)."""
    rows = Household.objects.filter(prefix_q("division_id", town.jurisdiction)).annotate(
        size=Count("members"), other_cases=Count("cases")
    )
    return list(rows.filter(size__gte=1).order_by("other_cases", "-size", "-household_no")[:2])


def _relief(event: Event, town: User, approver: User) -> None:
    homes = _households(town)
    if len(homes) < 2:
        return
    paid = _claim(event, Kind.TRANSITION, homes[0], town)
    _through_publicity(paid, town, publicised_ago=4)
    cases.case_transition(paid.case, "confirmed", actor=approver, reason="房屋倒塌、无生活来源，符合过渡期生活救助条件")
    relief_pay(paid, actor=approver)  # the effect runs after commit; the demo may run inside a transaction
    _pay_this_month(approver)
    winter = _claim(event, Kind.WINTER, homes[1], town)
    _through_publicity(winter, town, publicised_ago=1)


def _claim(event: Event, kind: str, household: Household, town: User) -> ReliefClaim:
    size = household.members.count()
    data = services.ClaimData(
        kind=kind, household=household, received_on=_ago(12), house_damage="collapsed", no_livelihood=True,
        transition_persons=size, winter_hardship=True, winter_persons=min(size, 2), note="村灾害信息员核查",
        authorisation_no=f"SQ-ZH-{household.household_no}",
    )  # fmt: skip
    return services.claim_open(event, data, actor=town)


def _through_publicity(claim: ReliefClaim, town: User, *, publicised_ago: int) -> None:
    survey = {"visited_on": _ago(11).isoformat(), "visitors": ["王网格", "李受理"], "findings": "住房倒塌，借住亲属家"}
    cases.case_transition(claim.case, "investigated", actor=town, data={"survey": survey, "on": _ago(11).isoformat()})
    cases.case_transition(
        claim.case, "reviewed", actor=town, reason="核查属实，拟同意", data={"on": _ago(publicised_ago + 1).isoformat()}
    )
    cases.case_transition(claim.case, "publicised", actor=town, data={"on": _ago(publicised_ago).isoformat()})


def _pay_this_month(approver: User) -> None:
    from minzheng.core.dates import first_of
    from minzheng.payments.demo import pay
    from minzheng.payments.models import BankAccount, Entitlement, PayrollRun
    from minzheng.payments.payroll import run_payroll
    from minzheng.payments.services import account_set

    for ent in Entitlement.objects.filter(programme="disaster_transition").select_related("payee"):
        if not BankAccount.objects.filter(holder=ent.payee, active=True).exists():
            number = "6230" + ent.payee.id_number[6:17].replace("X", "0") + "0002"
            account_set(ent.payee, bank_code="RCB", bank_name="鄞州农商银行", account_no=number,
                        account_name=ent.payee.name, reason="户主社保卡（灾害救助）", actor=approver)  # fmt: skip
    run = run_payroll("disaster_transition", first_of(timezone.localdate()), approver.jurisdiction, actor=None)
    if run.status == PayrollRun.State.DRAFT and run.beneficiaries:
        pay(run, approver)


def _warning(event: Event, office: User, village: User) -> None:
    code = village.jurisdiction
    for name, phone, role in (("王网格", "13805748801", "灾害信息员"), ("陈书记", "13805748802", "村干部"),
                              ("孙阿婆", "13805748803", "重点对象（独居老人）")):  # fmt: skip
        services_warning.contact_add(code, name=name, phone=phone, role=role, actor=village)
    warning = services_warning.warning_issue(
        title="台风橙色预警：请立即转移危旧房、低洼地人员", level="orange", areas=[code], minutes=60,
        event=event, actor=office,
    )  # fmt: skip
    from minzheng.disaster.models import Call, Warning

    Warning.objects.filter(pk=warning.pk).update(issued_at=timezone.now() - dt.timedelta(hours=2))
    for call in Call.objects.filter(warning=warning).select_related("contact").order_by("pk"):
        answered = call.contact.name != "孙阿婆"
        services_warning.call_record(call, answered=answered, note="" if answered else "无人接听", actor=village)
