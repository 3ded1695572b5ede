"""零证明: each proof an event's items need is checked against data the platform already holds.

A proof is one line of the case's checklist (`cases.Material`, key `proof:<code>`), asked once however
many items need it: ticked 数据代替（免提交） with the source that proved it (a department feed's
newest snapshot, a record that reported the event, the funeral app's cremation or burial, the registry,
a payment account), or left 待提交 — only those are asked of the family. A proof the window has
received on paper stays received.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.utils import timezone

from minzheng.cases.models import Material
from minzheng.lifeevents.catalogue import catalogue
from minzheng.lifeevents.models import LifeEvent, Task
from minzheng.registry.models import Person, PersonTag

log = logging.getLogger(__name__)
PREFIX = "proof:"
FEED_TITLES = {
    "death": "卫健死亡医学证明数据",
    "cremation": "殡葬火化数据",
    "hukou": "公安户籍数据",
    "marriage": "民政婚姻登记数据",
    "housing_fund": "住房公积金数据",
    "real_estate": "不动产登记数据",
    "pension": "养老保险数据",
}
RECORD_TITLES = {
    "cremation": "火化记录",
    "hukou": "户籍注销记录",
    "death": "死亡医学证明记录",
    "marriage": "婚姻登记记录",
    "birth": "出生医学证明记录",
    "health": "卫健出生记录",
}


def needed(event: LifeEvent) -> list[str]:
    """The proofs of every task that concerns the event (不涉及 ones need nothing), in list order."""
    seen: dict[str, None] = {}
    tasks = Task.objects.filter(event=event).exclude(status="na").order_by("pk")
    for task in tasks:
        for key in task.proofs:
            seen.setdefault(key, None)
    if not tasks.exists():  # a draft before 受理: the proofs of every item on the list
        _, items = catalogue().items_for(event.kind, event.region or event.division_code)
        for item in items:
            for key in item.proofs:
                seen.setdefault(key, None)
    return list(seen)


def _feed_has(feed: str, person: Person, on: dt.date) -> str:
    from minzheng.rules.inputs_db import feed_store_root
    from minzheng.verification.engine.store import FeedStore

    try:
        snap = FeedStore(feed_store_root()).latest(feed, on)
        if snap is None:
            return ""
        columns = ("id_number", "spouse_id_number") if feed == "marriage" else ("id_number",)
        for column in columns:
            rows = snap.lookup([person.id_number], column=column).to_pylist()
            if feed == "hukou":
                rows = [r for r in rows if r.get("status") == "死亡注销"]
            if rows:
                return f"{FEED_TITLES.get(feed, feed)}（数据时点 {snap.as_of}）"
    except Exception:  # a damaged snapshot must not block the window: the proof is then asked for
        log.exception("feed %s lookup failed", feed)
    return ""


def _funeral(event: LifeEvent, proof: str) -> str:
    try:
        from minzheng.funeral import selectors as funeral  # L2's app, when installed
    except ImportError:
        return ""
    if proof == "burial_certificate":
        burial = funeral.burial_of(event.person)
        return f"殡葬管理安葬记录（{burial}）" if burial else ""
    cremation = funeral.cremation_of(event.person)
    return f"殡葬管理火化记录（{cremation}）" if cremation else ""


def _reporter(event: LifeEvent) -> Person | None:
    number = event.reporter_id_number.strip().upper()
    return Person.objects.filter(id_number=number).first() if number else None


def source_proves(event: LifeEvent, proof: str, source: str, on: dt.date) -> str:
    """The Chinese name of the data that proves `proof` for this event, or "" when it does not."""
    kind, _, arg = source.partition(":")
    person = event.child if proof == "birth_certificate" and event.child else event.person
    if kind == "feed":
        return _feed_has(arg, person, on)
    if kind == "record":
        record = event.records.filter(source=arg).first()
        return f"{RECORD_TITLES.get(arg, arg)} {record.source_ref}" if record else ""
    if kind == "funeral":
        return _funeral(event, proof)
    if kind == "registry":
        return "本平台居民台账（户籍信息）"
    if kind == "relation":
        reporter = _reporter(event)
        if reporter is not None and reporter.household_id == event.person.household_id:
            return f"户籍信息：申请人与当事人同户（{reporter.get_relation_display()}）"
        return ""
    if kind == "account":
        from minzheng.payments.models import BankAccount

        reporter = _reporter(event)
        account = BankAccount.objects.filter(holder=reporter, active=True).first() if reporter else None
        return f"已登记的发放账户（{account.bank_name} 尾号 {account.account_no[-4:]}）" if account else ""
    if kind == "tag":
        tag = PersonTag.objects.filter(person=person, kind=arg).first()
        return f"居民台账：{tag}" if tag else ""
    return ""


def check(event: LifeEvent, proof: str, on: dt.date | None = None) -> str:
    spec = catalogue().proofs[proof]
    on = on or timezone.localdate()
    for source in spec.sources:
        found = source_proves(event, proof, source, on)
        if found:
            return found
    return ""


def proofs_refresh(event: LifeEvent) -> dict[str, str]:
    """Tick each needed proof that data holds (with its source); the rest are asked of the family."""
    out: dict[str, str] = {}
    existing = {m.key: m for m in Material.objects.filter(case=event.case, key__startswith=PREFIX)}
    today = timezone.localdate()
    for key in needed(event):
        found = check(event, key, today)
        status = Material.Status.FETCHED if found else Material.Status.MISSING
        note = found or "请家属提交（无数据可代替）"
        current = existing.get(PREFIX + key)
        label = catalogue().proofs[key].label
        if current is None:
            Material.objects.create(case=event.case, key=PREFIX + key, label=label, status=status, note=note[:200])
        elif current.status in (Material.Status.MISSING, Material.Status.FETCHED) and (
            current.status,
            current.note,
        ) != (status, note[:200]):
            Material.objects.filter(pk=current.pk).update(status=status, note=note[:200])
        out[key] = status
    return out


def proof_receive(event: LifeEvent, key: str, *, actor: Any, client_ip: str = "") -> Material:
    """The window received a paper proof the data could not replace."""
    from minzheng.audit.services import audit_record

    material = Material.objects.filter(case=event.case, key=PREFIX + key).first()
    if material is None:
        raise ValueError(f"本件不需要证明 {key}")
    Material.objects.filter(pk=material.pk).update(
        status=Material.Status.RECEIVED, note=f"窗口已收取（{timezone.localdate()}）"
    )
    audit_record(
        actor=actor,
        action="update",
        object_type="life_event",
        object_id=event.pk,
        client_ip=client_ip,
        summary=f"{event.case.case_no} 收取材料：{material.label}",
    )
    material.refresh_from_db()
    return material


def missing(event: LifeEvent) -> list[Material]:
    """What the family still has to bring: the proofs no data replaced and not yet received."""
    return list(
        Material.objects.filter(case=event.case, key__startswith=PREFIX, status=Material.Status.MISSING).order_by("pk")
    )
