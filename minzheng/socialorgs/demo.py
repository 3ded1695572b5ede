"""社会组织: what the demo county gets (called by minzheng.demo.build), all through the real services.

The organisation the demo account `zuzhi` acts for (accounts.units.ORG_CREDIT_CODE, 鄞州区公益服务中心)
and 35 others across the county's villages, registered between one and eight years ago by the officer
`shezu` and decided by the approver `xian` (four eyes); last year's 年报 mostly accepted, a few late,
missing (on the 待办) or waiting for review, one organisation on 活动异常名录; an inspector pool and a
drawn 双随机 batch with one inspection recorded and a finding; ratings (one expiring soon); two 打非
leads; a registration waiting to be accepted; and a 公益创投 round in 实施 with three scored applications,
two awarded, a first instalment paid, a mid-term evaluation passed. Idempotent: nothing is added when the
demo organisation exists.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from minzheng.accounts.models import User
from minzheng.accounts.units import ORG_CREDIT_CODE
from minzheng.divisions import codes as division_codes
from minzheng.divisions.models import Division
from minzheng.socialorgs import codes, draw, items, materials, params, services
from minzheng.socialorgs import services_reports as reports
from minzheng.socialorgs import services_supervise as supervise
from minzheng.socialorgs import services_venture as venture
from minzheng.socialorgs.models import Inspector, Kind, Organisation

NAMES = ["老年协会", "志愿者协会", "慈善基金会", "社会工作服务中心", "文体协会", "邻里互助会", "青少年服务中心",
         "残疾人康复服务中心", "乡贤参事会", "红白理事会", "调解志愿者协会", "巾帼志愿服务队"]  # fmt: skip
KIND_OF = {"基金会": Kind.FOUNDATION, "中心": Kind.SERVICE}


def _ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def _kind(name: str) -> str:
    return next((k for suffix, k in KIND_OF.items() if name.endswith(suffix)), Kind.SOCIAL_GROUP)


def register_org(
    officer: User, approver: User, *, name: str, kind: str, village: str, serial: int, days_ago: int, **extra: Any
) -> Organisation:
    """收件 → 受理 → 准予 (by another person), dated `days_ago`; returns the registered organisation."""
    capital = {Kind.FOUNDATION: 200_000_000, Kind.SOCIAL_GROUP: 3_000_000}.get(Kind(kind), 1_000_000)
    on = _ago(days_ago)
    data = services.Application(
        kind=kind, name=name, legal_rep=extra.get("legal_rep", "陈立德"), address=extra.get("address", f"{name}活动室"),
        division_code=village, capital_fen=capital, received_on=on, supervisor=extra.get("supervisor", ""),
        legal_rep_phone="13805740000", scope=extra.get("scope", "为辖区居民提供公益服务"),
    )  # fmt: skip
    filing = services.register_apply(data, actor=officer)
    materials.materials_tick(filing, [m["key"] for m in materials.required(filing)], actor=officer)
    services.filing_accept(filing, actor=officer, on=on)
    code = extra.get("credit_code") or codes.make(kind, officer.jurisdiction, serial)
    services.filing_decide(filing, approve=True, credit_code=code, actor=approver, on=on)
    filing.org.refresh_from_db()
    return filing.org


def _report(org: Organisation, n: int, actor: User, officer: User, *, accept: bool = True) -> None:
    """Last year's report: on time (a month before the due date) except every tenth one, late."""
    year = timezone.localdate().year - 1
    due = params.report_due(year, org.division_code)
    on = min(due + dt.timedelta(days=12) if n % 10 == 9 else due - dt.timedelta(days=30 + n), timezone.localdate())
    values = {
        "staff": n % 6, "members": 20 + 13 * n, "activities": 3 + n % 15, "beneficiaries": 80 + 90 * n,
        "villages_served": 1 + n % 5, "income_fen": 5_000_000 + 700_000 * n, "expense_fen": 3_000_000 + 650_000 * n,
        "net_assets_fen": 3_000_000 + 50_000 * n, "party_org": n % 3 != 0, "disclosed": n % 4 != 0,
        "summary": "全年开展助老、助残、邻里互助活动，服务辖区居民。",
    }  # fmt: skip
    report = reports.report_save(org, year, values, actor=actor, on=on)
    reports.report_submit(report, actor=actor, on=on)
    if accept:
        reports.report_accept(report, result="pass" if n % 7 else "basic", actor=officer)


def _villages(county: str, n: int) -> list[str]:
    rows = Division.objects.filter(level=division_codes.VILLAGE, code__startswith=county).order_by("code")
    found = list(rows.values_list("code", flat=True)[: n * 3 : 3]) or list(rows.values_list("code", flat=True)[:n])
    return (found * (n // max(len(found), 1) + 1))[:n]


def demo_extend(built: Any, step: Any) -> None:
    step("社会组织：登记、年报、双随机抽查、评估等级、打非线索与公益创投")
    users = {u.username: u for u in User.objects.filter(username__in=("shezu", "xian"))}
    if len(users) != 2 or Organisation.objects.filter(credit_code=ORG_CREDIT_CODE).exists():
        return
    officer, approver = users["shezu"], users["xian"]
    villages = _villages(officer.jurisdiction, 36)
    if not villages:
        return
    orgs = [
        register_org(officer, approver, name="鄞州区公益服务中心", kind=Kind.SERVICE, village=villages[0], serial=10,
                     days_ago=365 * 6, credit_code=ORG_CREDIT_CODE, legal_rep="周公益")
    ]  # fmt: skip
    for n in range(1, 36):
        town = Division.objects.filter(code=villages[n][:9].ljust(12, "0")).first()
        name = f"{town.name if town else '鄞州区'}{NAMES[n % len(NAMES)]}"
        name = name if not Organisation.objects.filter(name=name).exists() else f"{name}（第{n}）"
        orgs.append(register_org(officer, approver, name=name, kind=_kind(name), village=villages[n], serial=100 + n,
                                 days_ago=400 + 75 * n))  # fmt: skip
    zuzhi = User.objects.filter(username="zuzhi").first() or officer  # its own account files the demo org's report
    for n, org in enumerate(orgs[:28]):
        # The officer types in the paper reports of the others; n = 4, 13, 22 wait for review.
        _report(org, n + 3, zuzhi if n == 0 else officer, officer, accept=n % 9 != 4)
    services.abnormal_enter(orgs[33], reason="未按规定报送上一年度工作报告，经催告仍未报送", actor=officer)
    _supervise(officer, orgs)
    _venture(officer, approver, orgs)
    items.refresh_items()


def _supervise(officer: User, orgs: list[Organisation]) -> None:
    for i, (name, cert) in enumerate((("邵社组", "ZJ0212001"), ("钱执法", "ZJ0212002"), ("吴检查", "ZJ0212003"),
                                      ("郑监督", "ZJ0212004"))):  # fmt: skip
        Inspector.objects.create(name=name, unit="鄞州区民政局", certificate=cert, division_code=officer.jurisdiction,
                                 avoid=[orgs[0].credit_code] if i == 0 else [])  # fmt: skip
    batch = draw.batch_create(name=f"{timezone.localdate().year}年度社会组织双随机抽查", year=timezone.localdate().year,
                              ratio_permille=100, actor=officer)  # fmt: skip
    batch = draw.batch_draw(batch, actor=officer)
    first = batch.inspections.order_by("pk").first()
    if first is not None:
        found = [supervise.Found("finance", "财务收支未按规定在银行账户核算，存在现金收支")]
        supervise.inspection_record(first, method="site", on=_ago(10), result="rectify", findings=found, actor=officer)
    supervise.rating_record(orgs[0], score=955, rated_on=_ago(400), note="鄞民〔2025〕评估", actor=officer)
    supervise.rating_record(orgs[35], score=880, rated_on=_ago(365 * 5 - 30), note="第三方评估", actor=officer)
    supervise.rating_record(orgs[20], score=910, rated_on=_ago(200), actor=officer)
    village = orgs[3].division_code
    text = "未经登记以社团名义收取会费、刻制印章"
    supervise.lead_create(name="某某宗亲联谊总会", source="群众举报", description=text,
                          division_code=village, on=_ago(4), actor=officer)  # fmt: skip
    lead = supervise.lead_create(name="国学养生研习会", source="网格员巡查", description="以讲座名义推销保健品",
                                 division_code=orgs[6].division_code, on=_ago(8), actor=officer)  # fmt: skip
    supervise.lead_step(lead, "verifying", actor=officer)
    data = services.Application(kind=Kind.SOCIAL_GROUP, name="鄞州区摄影爱好者协会", legal_rep="林光影",
                                address="鄞州区文化中心三楼", division_code=village, capital_fen=3_000_000,
                                received_on=_ago(2), scope="摄影交流、公益拍摄")  # fmt: skip
    services.register_apply(data, actor=officer)


def _venture(officer: User, approver: User, orgs: list[Organisation]) -> None:
    today = timezone.localdate()
    call = venture.Call(
        f"{today.year}年度鄞州区社区公益创投", today.year, 30_000_000, 10_000_000, today, "助老、助残、儿童关爱"
    )
    rnd = venture.round_create(call, actor=officer)
    projects = [(orgs[0], "“银龄食堂”助餐陪伴计划", 8_000_000), (orgs[1], "留守儿童周末课堂", 6_000_000),
                (orgs[2], "楼道微更新", 5_000_000)]  # fmt: skip
    zuzhi = User.objects.filter(username="zuzhi").first() or officer
    apps = []
    for org, title, amount in projects:
        apps.append(venture.apply(rnd, org, title=title, summary=f"{title}：面向辖区困难群众，每月开展服务。",
                                  requested_fen=amount, division_code=org.division_code,
                                  actor=zuzhi if org.credit_code == ORG_CREDIT_CODE else officer))  # fmt: skip
    venture.round_close_call(rnd, actor=officer)
    experts = ["钱公益（高校社工系）", "孙社工（社工机构）", "邵社组"]  # outside experts' sheets entered by shezu
    for app, base in zip(apps, (88, 79, 52), strict=True):
        for i, expert in enumerate(experts):
            comment = "方案可行" if base > 60 else "方案不够具体"
            venture.score(app, value=base + i, expert=expert, comment=comment, actor=officer)
    awarded = venture.round_award(rnd, actor=approver)
    first = awarded[0].instalments.get(seq=1)
    venture.instalment_approve(first, actor=officer)
    venture.instalment_pay(first, voucher="鄞财拨〔2026〕0012", on=today, actor=officer)
    venture.evaluate(awarded[0], stage="midterm", value=85, note="按计划推进，台账完整", on=today, actor=officer)
