"""The register: 成立 / 变更 / 注销登记 as filings on the workflow kernel, and 活动异常名录.

Every write is one transaction ending in one audit row (the kernel writes the audit row of each step).
The organisation's own state moves only through `workflow.transition` (machines/organisation.yaml),
inside the transaction of the filing decision that causes it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.divisions.models import Division
from minzheng.socialorgs import codes
from minzheng.socialorgs.flow import workflow
from minzheng.socialorgs.models import Filing, Kind, Organisation


class SocialOrgError(ValueError):
    """Refused with a Chinese reason naming the field."""


# Fields a 变更登记 may change, with their Chinese names (《社会团体登记管理条例》第十八条 登记事项).
CHANGEABLE = {
    "name": "名称",
    "legal_rep": "法定代表人",
    "legal_rep_phone": "法定代表人联系电话",
    "address": "住所",
    "division_code": "住所所在村（社区）",
    "supervisor": "业务主管单位",
    "capital_fen": "注册资金",
    "scope": "业务范围",
}
# 《社会团体登记管理条例》第十条: 全国性 10 万元, 地方性和跨行政区域 3 万元 活动资金; 基金会 地方性
# 200 万元 原始基金 (《基金会管理条例》第八条). The county registers local bodies only.
MIN_CAPITAL_FEN = {Kind.SOCIAL_GROUP: 3_000_000, Kind.FOUNDATION: 200_000_000, Kind.SERVICE: 0}


@dataclass
class Application:
    kind: str
    name: str
    legal_rep: str
    address: str
    division_code: str  # the 12-digit village/community of the address
    capital_fen: int
    received_on: dt.date
    supervisor: str = ""
    legal_rep_phone: str = ""
    scope: str = ""


def _check_division(code: str, within: str) -> None:
    if len(code) != 12 or not code.isdigit():
        raise SocialOrgError("住所所在村（社区）应为 12 位区划代码")
    if not code.startswith(within):
        raise SocialOrgError(f"住所所在村（社区）{code} 不在本机关管辖范围 {within}")
    if not Division.objects.filter(code=code).exists():
        raise SocialOrgError(f"住所所在村（社区）区划代码 {code} 不存在")


def _check_application(data: Application, within: str) -> None:
    if data.kind not in Kind.values:
        raise SocialOrgError("组织类型应为社会团体、社会服务机构或基金会")
    for field, label in (("name", "名称"), ("legal_rep", "法定代表人"), ("address", "住所")):
        if not str(getattr(data, field)).strip():
            raise SocialOrgError(f"请填写{label}")
    if data.capital_fen < MIN_CAPITAL_FEN[Kind(data.kind)]:
        need = MIN_CAPITAL_FEN[Kind(data.kind)] / 100
        raise SocialOrgError(f"注册资金不得低于 {need:,.0f} 元（{Kind(data.kind).label}，登记条例规定的最低数额）")
    if data.received_on > timezone.localdate():
        raise SocialOrgError(f"收件日期 {data.received_on} 晚于今天")
    _check_division(data.division_code, within)
    live = Organisation.objects.exclude(status__in=("refused", "deregistered", "revoked"))
    if live.filter(name=data.name.strip()).exists():
        raise SocialOrgError(f"名称“{data.name.strip()}”已被登记或正在申请")


def register_apply(data: Application, *, actor: Actor, client_ip: str = "") -> Filing:
    """收件: the organisation (申请登记中) and its 成立登记 filing (已收件, 5 working days to accept)."""
    _check_application(data, actor.jurisdiction)
    with transaction.atomic():
        org = Organisation.objects.create(
            kind=data.kind,
            name=data.name.strip(),
            supervisor=data.supervisor.strip(),
            legal_rep=data.legal_rep.strip(),
            legal_rep_phone=data.legal_rep_phone.strip(),
            capital_fen=data.capital_fen,
            address=data.address.strip(),
            division_code=data.division_code,
            scope=data.scope.strip(),
        )
        workflow.start(org, actor=actor, on=data.received_on, client_ip=client_ip)
        filing = _filing(org, Filing.Type.REGISTER, data.received_on, actor=actor, client_ip=client_ip)
    return filing


def _filing(
    org: Organisation,
    type_: str,
    on: dt.date,
    *,
    actor: Actor,
    changes: dict[str, Any] | None = None,
    reason: str = "",
    client_ip: str = "",
) -> Filing:
    open_ = org.filings.filter(status__in=("received", "accepted"))
    if open_.exists():
        raise SocialOrgError(f"{org.name} 已有办理中的登记事项，请办结后再申请")
    filing = Filing.objects.create(
        org=org,
        type=type_,
        changes=changes or {},
        reason=reason.strip(),
        division_code=org.division_code,
        received_on=on,
        created_by=actor,
    )
    workflow.start(filing, actor=actor, on=on, client_ip=client_ip)
    audit_record(
        actor=actor,
        action="create",
        object_type="socialorg_filing",
        object_id=filing.pk,
        summary=f"收件：{filing.get_type_display()} {org.name}",
        client_ip=client_ip,
    )
    return filing


def change_apply(
    org: Organisation, changes: dict[str, Any], *, on: dt.date, actor: Actor, client_ip: str = ""
) -> Filing:
    """变更登记: only the registered particulars may change, each checked as at registration."""
    if org.status not in ("registered", "abnormal"):
        raise SocialOrgError(f"{org.name} 当前为「{org.status}」，不能办理变更登记")
    unknown = [k for k in changes if k not in CHANGEABLE]
    if unknown or not changes:
        raise SocialOrgError("请填写要变更的登记事项" if not changes else f"不能变更：{'、'.join(unknown)}")
    if "division_code" in changes:
        _check_division(str(changes["division_code"]), actor.jurisdiction)
    if "capital_fen" in changes and int(changes["capital_fen"]) < MIN_CAPITAL_FEN[Kind(org.kind)]:
        raise SocialOrgError("注册资金低于登记条例规定的最低数额")
    with transaction.atomic():
        return _filing(org, Filing.Type.CHANGE, on, actor=actor, changes=changes, client_ip=client_ip)


def deregister_apply(org: Organisation, *, reason: str, on: dt.date, actor: Actor, client_ip: str = "") -> Filing:
    """注销登记: the reason and the 清算 report's conclusion are required (社团条例第十九条、第二十条)."""
    if org.status not in ("registered", "abnormal"):
        raise SocialOrgError(f"{org.name} 未处于登记状态，不能办理注销登记")
    if not reason.strip():
        raise SocialOrgError("请填写注销理由及清算情况")
    with transaction.atomic():
        return _filing(org, Filing.Type.DEREGISTER, on, actor=actor, reason=reason, client_ip=client_ip)


def filing_accept(filing: Filing, *, actor: Actor, on: dt.date | None = None, client_ip: str = "") -> Filing:
    workflow.transition(filing, "accepted", actor=actor, on=on, client_ip=client_ip)
    return filing


def filing_return(filing: Filing, *, reason: str, actor: Actor, client_ip: str = "") -> Filing:
    """不予受理 a 成立登记 also ends the application (未准予登记)."""
    with transaction.atomic():
        workflow.transition(filing, "returned", actor=actor, reason=reason, client_ip=client_ip)
        if filing.type == Filing.Type.REGISTER:
            workflow.transition(filing.org, "refused", actor=actor, reason=reason, client_ip=client_ip)
    return filing


def filing_decide(
    filing: Filing,
    *,
    approve: bool,
    actor: Actor,
    reason: str = "",
    credit_code: str = "",
    on: dt.date | None = None,
    client_ip: str = "",
) -> Filing:
    """准予 / 不予 (four eyes: not whoever accepted); 准予 applies the filing to the register at once."""
    org = filing.org
    code = ""
    if approve and filing.type == Filing.Type.REGISTER:
        try:
            code = codes.check(credit_code, kind=org.kind, county=actor.jurisdiction[:6])
        except codes.CreditCodeError as exc:
            raise SocialOrgError(str(exc)) from None
        if Organisation.objects.filter(credit_code=code).exclude(pk=org.pk).exists():
            raise SocialOrgError(f"统一社会信用代码 {code} 已赋予其他组织")
    day = on or timezone.localdate()
    with transaction.atomic():
        target = "approved" if approve else "rejected"
        workflow.transition(filing, target, actor=actor, reason=reason, on=day, client_ip=client_ip)
        Filing.objects.filter(pk=filing.pk).update(decision=reason.strip())
        if approve:
            _apply(filing, org, code, day, actor=actor, client_ip=client_ip)
        elif filing.type == Filing.Type.REGISTER:
            workflow.transition(org, "refused", actor=actor, reason=reason, on=day, client_ip=client_ip)
    return filing


def _apply(filing: Filing, org: Organisation, code: str, day: dt.date, *, actor: Actor, client_ip: str) -> None:
    if filing.type == Filing.Type.REGISTER:
        changes = {"credit_code": code, "registered_on": day}
        workflow.transition(org, "registered", actor=actor, on=day, changes=changes, client_ip=client_ip)
    elif filing.type == Filing.Type.DEREGISTER:
        workflow.transition(org, "deregistered", actor=actor, on=day, reason=filing.reason, client_ip=client_ip)
    else:
        before = {k: getattr(org, k) for k in filing.changes}
        Organisation.objects.filter(pk=org.pk).update(**filing.changes)
        for key, value in filing.changes.items():
            setattr(org, key, value)
        audit_record(
            actor=actor,
            action="update",
            object_type="socialorg",
            object_id=org.pk,
            summary=f"变更登记：{'、'.join(CHANGEABLE[k] for k in filing.changes)}",
            client_ip=client_ip,
            data={"before": {k: str(v) for k, v in before.items()}, "after": filing.changes},
        )


def abnormal_enter(org: Organisation, *, reason: str, actor: Actor, client_ip: str = "") -> None:
    """活动异常名录 (民政部令第60号 第十条): e.g. the 年报 not filed by the deadline."""
    workflow.transition(org, "abnormal", actor=actor, reason=reason, client_ip=client_ip)


def abnormal_leave(org: Organisation, *, reason: str, actor: Actor, client_ip: str = "") -> None:
    workflow.transition(org, "registered", actor=actor, reason=reason, client_ip=client_ip)


def revoke(org: Organisation, *, reason: str, actor: Actor, client_ip: str = "") -> None:
    """撤销登记: an administrative penalty (社团条例第三十条, 民非条例第二十五条) decided by the county approver."""
    workflow.transition(org, "revoked", actor=actor, reason=reason, client_ip=client_ip)


def org_file_read(org: Organisation, *, actor: Actor, client_ip: str = "") -> None:
    """The officer's view of one organisation's file (legal representative's phone included): audited."""
    audit_record(
        actor=actor,
        action="view",
        object_type="socialorg",
        object_id=org.pk,
        summary=f"查看社会组织档案：{org.name}",
        client_ip=client_ip,
    )
