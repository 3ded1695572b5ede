"""时间银行: hours earned on confirmation, transferred to a family member under the local rule, drawn
as home-care service through eldercare's care orders. Never negative, every movement audited, once.

Every movement goes through `_book`: the account row is locked, the movement's `key` (one per
confirmation, transfer side, draw, refund) is checked and written under a unique index, and the new
balance is checked here and by the database (CHECK balance >= 0). The transfer rule is data: dated,
regional parameters `volunteers.timebank.transfer.<relation>` and `volunteers.timebank.transfer_cap_hours`
(data/params.yaml, maker-checker in the parameters page), each with its reference.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.eldercare import orders as care_orders
from minzheng.eldercare.entitlements import DONE, ParamMissingError, param_int
from minzheng.eldercare.lifecycle import TransitionError
from minzheng.eldercare.models import Elder, OrderChannel, OrderStatus
from minzheng.registry.models import Person, Relation
from minzheng.volunteers.models import Account, Attendance, Draw, Entry, Transfer, Volunteer
from minzheng.volunteers.services import VolunteerError

K = Entry.Kind
PARAMS = Path(__file__).parent / "data" / "params.yaml"
RELATIONS = {"spouse": "配偶", "parent_child": "父母子女", "grandparent": "祖父母（外祖父母）与孙子女"}
R = Relation
_HEADS = {R.HEAD, R.SPOUSE}
_PARENTS_OF_HEAD = {R.FATHER, R.MOTHER}
_CHILDREN = {R.SON, R.DAUGHTER}


def params_load(*, actor: Actor | None = None) -> None:
    """The shipped transfer rule into the parameters table (also loaded with the rules' DEFAULT_PARAMS)."""
    from minzheng.rules.services import params_import

    params_import(actor=actor, path=PARAMS)


def hours_text(minutes: int) -> str:
    hours, rest = divmod(abs(minutes), 60)
    return ("-" if minutes < 0 else "") + f"{hours} 小时" + (f" {rest} 分钟" if rest else "")


def account_read(account: Account, *, actor: Actor, client_ip: str = "") -> Account:
    """A person's time-bank ledger read by staff leaves an audit row (a detail read of a person)."""
    audit_record(
        actor=actor, action="view", object_type="timebank_account", object_id=account.pk, client_ip=client_ip,
        summary=f"查看时间银行账户 {account.pk}",
    )  # fmt: skip
    return account


def account_for(person: Person) -> Account:
    account, _ = Account.objects.get_or_create(person=person, defaults={"division_code": person.division_code})
    return account


def _book(account: Account, *, kind: str, minutes: int, key: str, actor: Actor | None, note: str = "",
          client_ip: str = "", **refs: object) -> Entry | None:  # fmt: skip
    """One movement, once: None when `key` was booked before. Refuses a balance below zero."""
    locked = Account.objects.select_for_update().get(pk=account.pk)
    if Entry.objects.filter(key=key).exists():
        return None
    balance = locked.balance_minutes + minutes
    if balance < 0:
        raise VolunteerError(
            f"时间银行余额不足：余额 {hours_text(locked.balance_minutes)}，本次需 {hours_text(-minutes)}"
        )
    try:
        with transaction.atomic():  # a racing twin with the same key loses here, not the caller's transaction
            entry = Entry.objects.create(
                account=locked, kind=kind, minutes=minutes, balance_after=balance, key=key, note=note[:200],
                actor=actor, **refs,
            )  # fmt: skip
    except IntegrityError:
        return None
    Account.objects.filter(pk=locked.pk).update(balance_minutes=balance)
    account.balance_minutes = balance
    summary = f"时间银行{K(kind).label} {hours_text(minutes)}，余额 {hours_text(balance)}"
    audit_record(
        actor=actor, action="update", object_type="timebank_account", object_id=locked.pk, summary=summary,
        client_ip=client_ip, data={"entry": entry.pk, "key": key, "minutes": minutes},
    )  # fmt: skip
    return entry


def earn(att: Attendance, *, actor: Actor | None, client_ip: str = "") -> Entry | None:
    """存入: a confirmed attendance at a time-bank activity, once per attendance."""
    account = account_for(att.volunteer.person)
    note = f"活动 {att.activity.title}"
    return _book(account, kind=K.EARN, minutes=att.confirmed_minutes, key=f"earn:{att.pk}", actor=actor, note=note,
                 client_ip=client_ip, attendance=att)  # fmt: skip


def relation_between(giver: Person, receiver: Person) -> str | None:
    """配偶 / 父母子女 / 祖孙 read from one household's 与户主关系; None when the registry cannot tell."""
    if giver.household_id != receiver.household_id or giver.pk == receiver.pk:
        return None
    pair = {giver.relation, receiver.relation}
    if pair in (_HEADS, _PARENTS_OF_HEAD):
        return "spouse"
    a, b = giver.relation, receiver.relation
    for x, y in ((a, b), (b, a)):
        if (x in _HEADS and y in _CHILDREN) or (x == R.HEAD and y in _PARENTS_OF_HEAD):
            return "parent_child"
        if (x in _HEADS and y == R.GRANDCHILD) or (x in _PARENTS_OF_HEAD and y in _CHILDREN):
            return "grandparent"
    return None


def _rule(relation: str, region: str, on: dt.date) -> tuple[int, str]:
    """(cap in minutes this year, the rule's text) or VolunteerError naming the rule that refuses."""
    try:
        allowed = param_int(f"volunteers.timebank.transfer.{relation}", region, on)
        cap = param_int("volunteers.timebank.transfer_cap_hours", region, on)
    except ParamMissingError as exc:
        raise VolunteerError(f"转赠规则未设定：{exc}") from exc
    if allowed.value != 1:
        raise VolunteerError(f"本地规则不允许向{RELATIONS[relation]}转赠：{allowed.text}")
    return cap.value * 60, f"允许向{RELATIONS[relation]}转赠：{allowed.text}；年度上限 {cap.text}"


@transaction.atomic
def transfer(
    *, actor: Actor, giver: Account, receiver: Person, minutes: int, request_key: str,
    declared_relation: str = "", evidence: str = "", client_ip: str = "",
) -> Transfer:  # fmt: skip
    """转赠 to a family member: the relation from the registry (same 户) or declared with its proof."""
    done = Transfer.objects.filter(request_key=request_key).first()
    if done is not None:
        return done  # the same form sent twice
    if minutes <= 0:
        raise VolunteerError("转赠时长：应大于 0")
    if not Volunteer.objects.filter(person_id=giver.person_id).exists():
        raise VolunteerError("转出账户：只有志愿者本人存入的时长可以转赠（转入的时长只能兑换服务）")
    relation, source = relation_between(giver.person, receiver), "户籍（同户，与户主关系）"
    if relation is None:
        if declared_relation not in RELATIONS or not evidence.strip():
            raise VolunteerError("亲属关系：户籍中不能确认关系，请选择申报的关系并注明证明材料（如亲属关系证明）")
        relation, source = declared_relation, f"申报，证明材料：{evidence.strip()}"
    today = timezone.localdate()
    cap, rule_text = _rule(relation, giver.division_code, today)
    year_start = dt.datetime(today.year, 1, 1, tzinfo=timezone.get_current_timezone())
    used = Transfer.objects.filter(giver=giver, at__gte=year_start).aggregate(m=Sum("minutes"))["m"] or 0
    if used + minutes > cap:
        raise VolunteerError(
            f"转赠时长：本年已转赠 {hours_text(used)}，加本次 {hours_text(minutes)} 超过年度上限 {hours_text(cap)}"
        )
    to = account_for(receiver)
    t = Transfer.objects.create(
        giver=giver, receiver=to, minutes=minutes, relation=relation, relation_source=source[:200],
        rule_text=rule_text, request_key=request_key, actor=actor,
    )  # fmt: skip
    _book(giver, kind=K.TRANSFER_OUT, minutes=-minutes, key=f"transfer:{t.pk}:out", actor=actor, transfer=t,
          note=f"转赠{RELATIONS[relation]}", client_ip=client_ip)  # fmt: skip
    _book(to, kind=K.TRANSFER_IN, minutes=minutes, key=f"transfer:{t.pk}:in", actor=actor, transfer=t,
          note=f"来自{RELATIONS[relation]}的转赠", client_ip=client_ip)  # fmt: skip
    return t


@transaction.atomic
def draw(
    *, actor: Actor, account: Account, item_codes: list[str], window_start: dt.datetime, client_ip: str = ""
) -> Draw:
    """兑换: a home-care order for the account holder (an elder in 居家养老), paid with banked hours."""
    elder = Elder.objects.select_related("person").filter(person_id=account.person_id, active=True).first()
    if elder is None:
        raise VolunteerError("兑换对象：账户本人不是在服务的居家养老对象，请先在居家养老建档")
    try:
        order = care_orders.order_place(
            actor=actor, elder=elder, item_codes=item_codes, window_start=window_start,
            channel=OrderChannel.TIMEBANK, note="时间银行兑换", client_ip=client_ip,
        )  # fmt: skip
    except TransitionError as exc:
        raise VolunteerError(f"兑换服务：{exc}") from exc
    d = Draw.objects.create(account=account, order=order, minutes=order.minutes, actor=actor)
    _book(account, kind=K.DRAW, minutes=-order.minutes, key=f"draw:{d.pk}", actor=actor, draw=d,
          note=f"兑换居家养老服务（订单 {order.pk}）", client_ip=client_ip)  # fmt: skip
    return d


def settle_draws(*, actor: Actor | None = None) -> int:
    """Unused hours back: a cancelled or missed order returns all, a finished one what was not served."""
    count = 0
    for d in Draw.objects.filter(settled=False).select_related("order", "account"):
        status = d.order.status
        if status in DONE:
            refund = max(0, d.minutes - d.order.minutes)
        elif status in (OrderStatus.CANCELLED, OrderStatus.MISSED):
            refund = d.minutes
        else:
            continue
        with transaction.atomic():
            if not Draw.objects.filter(pk=d.pk, settled=False).update(settled=True, refunded_minutes=refund):
                continue  # settled by a concurrent run
            if refund:
                _book(d.account, kind=K.REFUND, minutes=refund, key=f"refund:{d.pk}", actor=actor, draw=d,
                      note=f"订单 {d.order_id} {OrderStatus(status).label}，退回未用时长")  # fmt: skip
            count += 1
    return count
