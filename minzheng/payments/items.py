"""The town officer's 待办 for payments: 停发核实 after an automatic stop, with two one-click actions.

确认停发 ends the entitlement (last month paid: the month of death; for 财政供养 / prison the last
month before the suspension) and opens the 追回台账 row when months after it were paid;
恢复发放 restores it (the feed was wrong, or the household still qualifies). Settling the item
by hand (办结) is refused while the entitlement is still suspended: a stop never stays silent.

No producer: the items are written by `stops.apply_stops` when it suspends (item_upsert by
fingerprint), so `refresh_all` never closes them; the decision closes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from minzheng.core.dates import month_label
from minzheng.core.masking import mask_name
from minzheng.payments.models import Entitlement, Status
from minzheng.workitems.models import WorkItem
from minzheng.workitems.services import KIND_LABELS, ItemSpec, WorkItemError, action, item_upsert

if TYPE_CHECKING:
    from minzheng.payments.stops import Finding

SOURCE = "payments_stop"
KINDS = {
    "stop_death": "停发核实：死亡",
    "stop_public_payroll": "停发核实：财政供养",
    "stop_prison": "停发核实：服刑",
}
KIND_LABELS.update(KINDS)


def fingerprint(ent: Entitlement, key: str) -> str:
    return f"pstop:{ent.pk}:{key}"


def known(fp: str) -> bool:
    """The fact already has an item (open or settled): it suspends nothing again."""
    return WorkItem.objects.filter(fingerprint=fp).exists()


def _items(ent: Entitlement) -> Any:
    return WorkItem.objects.filter(source=SOURCE, subject_type="entitlement", subject_id=str(ent.pk))


def stop_item_open(ent: Entitlement, finding: Finding, fp: str) -> WorkItem:
    from minzheng.payments.programmes import programme

    person = finding.person
    since = month_label(ent.suspended_from) if ent.suspended_from else "—"
    who = mask_name(person.name)
    what = KINDS[f"stop_{finding.kind}"].removeprefix("停发核实：")
    return item_upsert(
        ItemSpec(
            source=SOURCE,
            kind=f"stop_{finding.kind}",
            title=f"停发核实：{who} {programme(ent.programme).name}已自{since}起暂停（{what}）",
            subject_type="entitlement",
            subject_id=str(ent.pk),
            division_code=ent.division_code,
            role="town_officer",
            fingerprint=fp,
            data={
                "entitlement": ent.pk,
                "programme": ent.programme,
                "person_id": person.pk,
                "died_on": finding.died_on.isoformat() if finding.died_on else None,
                "suspended_from": ent.suspended_from.isoformat() if ent.suspended_from else None,
                "run_as_of": finding.run_as_of.isoformat(),
                "detail": f"{who}：{finding.text.removeprefix(person.name)}"[:200],
            },
        )
    )


def open_kinds(ent: Entitlement) -> set[str]:
    return set(_items(ent).filter(status=WorkItem.Status.OPEN).values_list("kind", flat=True))


def stop_items_close(ent: Entitlement, resolution: str, *, keep: str = "") -> int:
    """The decision settles every open stop item of the entitlement (the acting one is settled by the kernel)."""
    from minzheng.workitems.services import items_close_by_producer

    prints = _items(ent).filter(status=WorkItem.Status.OPEN).exclude(fingerprint=keep)
    return items_close_by_producer(list(prints.values_list("fingerprint", flat=True)), resolution)


def _entitlement(item: WorkItem) -> Entitlement:
    ent = Entitlement.objects.filter(pk=item.data.get("entitlement")).first()
    if ent is None:
        raise WorkItemError("该待办对应的待遇已不存在")
    if ent.status != Status.SUSPENDED:
        raise WorkItemError(f"该待遇当前为{ent.get_status_display()}，无需再处理，请直接办结")
    return ent


def _died_on(item: WorkItem) -> Any:
    import datetime as dt

    raw = item.data.get("died_on")
    return dt.date.fromisoformat(raw) if raw else None


@action("payments_stop_confirm", "确认停发", kinds=set(KINDS), roles={"town_officer"})
def _confirm(item: WorkItem, actor: Any, client_ip: str) -> tuple[str, str]:
    from minzheng.payments.services import EntitlementError
    from minzheng.payments.stops import default_last_month, stop_confirm

    ent = _entitlement(item)
    last = default_last_month(ent, item.kind, _died_on(item))
    reason = f"经乡镇核实，{item.data.get('detail', '')}，确认停发，最后发放所属期 {month_label(last)}"
    try:
        result = stop_confirm(ent, last_month=last, reason=reason, actor=actor, keep_item=item.fingerprint)
    except EntitlementError as exc:
        raise WorkItemError(str(exc)) from None
    op = result.overpayment
    tail = f"；{month_label(op.period_from)}起多发 {op.amount_fen / 100:,.2f} 元已列入追回台账#{op.pk}" if op else ""
    return f"已确认停发（最后发放所属期 {month_label(last)}）{tail}", ""


@action("payments_stop_cancel", "恢复发放", kinds=set(KINDS), roles={"town_officer"})
def _cancel(item: WorkItem, actor: Any, client_ip: str) -> tuple[str, str]:
    from minzheng.payments.stops import stop_cancel

    ent = _entitlement(item)
    reason = f"经乡镇核实，核对发现（{item.data.get('detail', '')}）与事实不符或不影响享受，恢复发放"
    stop_cancel(ent, reason=reason, actor=actor, keep_item=item.fingerprint)
    return "已恢复发放，暂停期间的待遇由下次发放补发", ""


def on_resolve(item: WorkItem, actor: Any, client_ip: str) -> None:
    """Refuse a hand-written 办结 while the entitlement is still suspended (the kernel rolls it back)."""
    ent = Entitlement.objects.filter(pk=item.data.get("entitlement")).first()
    if ent is not None and ent.status == Status.SUSPENDED:
        raise WorkItemError("该待遇仍在暂停：请选择「确认停发」或「恢复发放」办理")
