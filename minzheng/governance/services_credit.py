"""信用+: a village's rules (data, versioned by date), one account per household, the ledger, the 信用超市
and the 信用基金. Every change is a ledger row beside a guarded UPDATE, audited.

Never below zero without a rule: a redemption needs the whole cost in the balance (the UPDATE's
`balance >= cost` condition, so two at once cannot overdraw); a deduction takes at most what is there,
unless its rule says `may_go_negative` (a village may decide that refusing to support one's parents, say,
carries a debt of points).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.governance.models import (
    CreditAccount,
    CreditEntry,
    CreditFund,
    CreditRule,
    FundEntry,
    FundPayout,
    Redemption,
    ShopItem,
)
from minzheng.governance.services import GovernanceError, division_checked, load_data, required, user_or_none
from minzheng.registry.models import Household


def _audit(
    actor: Actor, object_type: str, pk: object, summary: str, client_ip: str = "", action: str = "update"
) -> None:
    audit_record(
        actor=actor, action=action, object_type=object_type, object_id=str(pk), summary=summary, client_ip=client_ip
    )


def rules_adopt(division_code: str, *, effective_from: dt.date, actor: Actor, client_ip: str = "") -> list[CreditRule]:
    """The village takes the default items (data/credit_rules.yaml) as its own rows; again changes nothing."""
    division = division_checked(actor, division_code, village=True)
    spec = load_data("credit_rules.yaml")
    made = []
    with transaction.atomic():
        for item in spec["rules"]:
            rule, created = CreditRule.objects.get_or_create(
                division_code=division.code,
                code=item["code"],
                effective_from=effective_from,
                defaults={
                    "text": item["text"],
                    "points": int(item["points"]),
                    "cap_per_year": item.get("cap_per_year"),
                    "may_go_negative": bool(item.get("may_go_negative")),
                    "source": spec.get("source", ""),
                },
            )
            if created:
                made.append(rule)
        if made:
            _audit(
                actor,
                "gov_credit_rule",
                division.code,
                f"{division.name} 采用信用积分规则 {len(made)} 条",
                client_ip,
                "create",
            )
    return made


def rule_revise(
    rule: CreditRule,
    *,
    points: int,
    cap_per_year: int | None,
    effective_from: dt.date,
    text: str = "",
    may_go_negative: bool | None = None,
    actor: Actor,
    client_ip: str = "",
) -> CreditRule:
    """A new version from `effective_from`; the old one stops the day before (entries keep the version they used)."""
    division_checked(actor, rule.division_code)
    if points == 0:
        raise GovernanceError("分值不能为 0")
    if effective_from <= rule.effective_from:
        raise GovernanceError(f"新版本生效日期应晚于现行版本（{rule.effective_from}）")
    with transaction.atomic():
        CreditRule.objects.filter(pk=rule.pk).update(effective_to=effective_from - dt.timedelta(days=1))
        new = CreditRule.objects.create(
            division_code=rule.division_code,
            code=rule.code,
            text=text.strip() or rule.text,
            points=points,
            cap_per_year=cap_per_year,
            may_go_negative=rule.may_go_negative if may_go_negative is None else may_go_negative,
            source=rule.source,
            effective_from=effective_from,
        )
        _audit(
            actor,
            "gov_credit_rule",
            new.pk,
            f"修订积分规则 {rule.code}：{rule.points:+d} → {points:+d}（{effective_from} 起）",
            client_ip,
        )
    return new


def rule_set(
    *,
    division_code: str,
    code: str,
    text: str,
    points: int,
    cap_per_year: int | None,
    effective_from: dt.date,
    may_go_negative: bool = False,
    source: str = "",
    actor: Actor,
    client_ip: str = "",
) -> CreditRule:
    """A village's own item, or a new version of an item it has (the village decides its 村规民约)."""
    division = division_checked(actor, division_code, village=True)
    code = required(code, "条目编号").upper()
    current = next((r for r in rules_in_force(division.code, effective_from) if r.code == code), None)
    if current is not None:
        return rule_revise(
            current, points=points, cap_per_year=cap_per_year, effective_from=effective_from, text=text,
            may_go_negative=may_go_negative, actor=actor, client_ip=client_ip,
        )  # fmt: skip
    if points == 0:
        raise GovernanceError("分值不能为 0")
    with transaction.atomic():
        rule = CreditRule.objects.create(
            division_code=division.code, code=code, text=required(text, "条目内容"), points=points,
            cap_per_year=cap_per_year, may_go_negative=may_go_negative, source=source.strip(),
            effective_from=effective_from,
        )  # fmt: skip
        _audit(
            actor,
            "gov_credit_rule",
            rule.pk,
            f"{division.name} 新增积分规则 {code}（{points:+d}）",
            client_ip,
            "create",
        )
    return rule


def rules_in_force(division_code: str, on: dt.date) -> list[CreditRule]:
    live = Q(effective_to__isnull=True) | Q(effective_to__gte=on)
    return list(CreditRule.objects.filter(live, division_code=division_code, effective_from__lte=on).order_by("code"))


def account_for(household: Household) -> CreditAccount:
    account, _ = CreditAccount.objects.get_or_create(
        household=household, defaults={"division_code": household.division_id}
    )
    return account


def _used_this_year(account: CreditAccount, rule: CreditRule, on: dt.date) -> int:
    rows = CreditEntry.objects.filter(account=account, rule__code=rule.code, on__year=on.year)
    return sum(abs(p) for p in rows.values_list("points", flat=True))


def points_record(
    household: Household,
    rule: CreditRule,
    *,
    on: dt.date | None = None,
    evidence: str,
    actor: Actor,
    client_ip: str = "",
) -> CreditEntry:
    """加分 / 扣分 by one rule item of the household's own village, within the item's yearly cap."""
    day = on or timezone.localdate()
    division_checked(actor, household.division_id, village=True)
    if rule.division_code != household.division_id:
        raise GovernanceError(f"规则 {rule.code} 属于另一个村（社区），不能用于本户")
    if rule.effective_from > day or (rule.effective_to and rule.effective_to < day):
        raise GovernanceError(f"规则 {rule.code} 在 {day} 不在有效期内")
    if day > timezone.localdate():
        raise GovernanceError(f"发生日期 {day} 晚于今天")
    evidence = required(evidence, "事实与佐证")
    with transaction.atomic():
        account = CreditAccount.objects.select_for_update().get(pk=account_for(household).pk)
        used = _used_this_year(account, rule, day)
        if rule.cap_per_year is not None and used + abs(rule.points) > rule.cap_per_year:
            raise GovernanceError(f"规则 {rule.code} 每户每年最多计 {rule.cap_per_year} 分，本户今年已计 {used} 分")
        change, note = rule.points, ""
        if change < 0 and not rule.may_go_negative and account.balance + change < 0:
            change = -max(account.balance, 0)
            note = f"应扣 {-rule.points} 分，余额仅 {account.balance} 分，扣至零为止"
        CreditAccount.objects.filter(pk=account.pk).update(
            balance=F("balance") + change, earned=F("earned") + max(change, 0)
        )
        entry = CreditEntry.objects.create(
            account=account,
            kind=CreditEntry.Kind.EARN if rule.points > 0 else CreditEntry.Kind.DEDUCT,
            rule=rule,
            points=change,
            balance_after=account.balance + change,
            on=day,
            evidence=evidence,
            note=note,
            recorded_by=user_or_none(actor),
        )
        _audit(
            actor,
            "gov_credit",
            household.pk,
            f"户 {household.household_no} {rule.code} {change:+d} 分，余额 {entry.balance_after}",
            client_ip,
        )
    return entry


def item_add(
    *, division_code: str, name: str, points: int, stock: int, donor: str = "", actor: Actor, client_ip: str = ""
) -> ShopItem:
    division = division_checked(actor, division_code, village=True)
    if points <= 0 or stock < 0:
        raise GovernanceError("兑换积分应大于 0，库存不能为负")
    with transaction.atomic():
        item = ShopItem.objects.create(
            division_code=division.code, name=required(name, "物品"), points=points, stock=stock, donor=donor.strip()
        )
        _audit(
            actor, "gov_shop", item.pk, f"信用超市上架 {item.name}（{points} 分，库存 {stock}）", client_ip, "create"
        )
    return item


def item_restock(item: ShopItem, *, quantity: int, actor: Actor, client_ip: str = "") -> ShopItem:
    division_checked(actor, item.division_code)
    if quantity <= 0:
        raise GovernanceError("入库数量应大于 0")
    with transaction.atomic():
        ShopItem.objects.filter(pk=item.pk).update(stock=F("stock") + quantity)
        item.refresh_from_db()
        _audit(actor, "gov_shop", item.pk, f"信用超市 {item.name} 入库 {quantity}，库存 {item.stock}", client_ip)
    return item


def redeem(household: Household, item: ShopItem, *, quantity: int = 1, actor: Actor, client_ip: str = "") -> Redemption:
    """兑换: the whole cost must be in the balance and the goods on the shelf; both checked by the UPDATE itself."""
    division_checked(actor, household.division_id, village=True)
    if item.division_code != household.division_id or not item.active:
        raise GovernanceError(f"{item.name} 不是本村（社区）信用超市在架物品")
    if quantity <= 0:
        raise GovernanceError("兑换数量应大于 0")
    cost = item.points * quantity
    with transaction.atomic():
        account = account_for(household)
        if CreditAccount.objects.filter(pk=account.pk, balance__gte=cost).update(balance=F("balance") - cost) != 1:
            account.refresh_from_db()
            raise GovernanceError(f"积分不足：余额 {account.balance} 分，兑换 {item.name} × {quantity} 需 {cost} 分")
        if ShopItem.objects.filter(pk=item.pk, stock__gte=quantity).update(stock=F("stock") - quantity) != 1:
            raise GovernanceError(f"{item.name} 库存不足")  # the atomic block undoes the points taken above
        account.refresh_from_db()
        entry = CreditEntry.objects.create(
            account=account,
            kind=CreditEntry.Kind.REDEEM,
            points=-cost,
            balance_after=account.balance,
            on=timezone.localdate(),
            evidence=f"兑换 {item.name} × {quantity}",
            recorded_by=user_or_none(actor),
        )
        redemption = Redemption.objects.create(item=item, entry=entry, quantity=quantity)
        _audit(
            actor,
            "gov_credit",
            household.pk,
            f"户 {household.household_no} 兑换 {item.name} × {quantity}，-{cost} 分",
            client_ip,
        )
    return redemption


def _fund(division_code: str) -> CreditFund:
    fund, _ = CreditFund.objects.get_or_create(division_code=division_code)
    return fund


def fund_deposit(
    *, division_code: str, kind: str, amount_fen: int, counterpart: str, on: dt.date | None = None, actor: Actor,
    client_ip: str = "",
) -> FundEntry:  # fmt: skip
    """Money into the village's 信用基金 (its welfare money turned into the fund, or a donation)."""
    division = division_checked(actor, division_code, village=True)
    if kind not in (FundEntry.Kind.ALLOCATION, FundEntry.Kind.DONATION):
        raise GovernanceError("收入类型应为福利资金转入或社会捐赠")
    if amount_fen <= 0:
        raise GovernanceError("金额应大于 0")
    with transaction.atomic():
        fund = _fund(division.code)
        CreditFund.objects.filter(pk=fund.pk).update(balance_fen=F("balance_fen") + amount_fen)
        fund.refresh_from_db()
        entry = FundEntry.objects.create(
            fund=fund, kind=kind, amount_fen=amount_fen, balance_fen=fund.balance_fen, on=on or timezone.localdate(),
            counterpart=required(counterpart, "来源"), recorded_by=user_or_none(actor),
        )  # fmt: skip
        _audit(
            actor,
            "gov_fund",
            fund.pk,
            f"{division.name} 信用基金 {entry.get_kind_display()} {amount_fen} 分",
            client_ip,
        )
    return entry


def shares(amount_fen: int, points: dict[int, int]) -> dict[int, int]:
    """Split `amount_fen` by points, whole fen, largest remainder first (ties by account id): sums exactly."""
    total = sum(points.values())
    if total <= 0:
        return {}
    exact = {k: amount_fen * p for k, p in points.items()}
    out = {k: v // total for k, v in exact.items()}
    left = amount_fen - sum(out.values())
    for k in sorted(exact, key=lambda k: (-(exact[k] % total), k))[:left]:
        out[k] += 1
    return out


def fund_payout(
    *, division_code: str, amount_fen: int, since: dt.date, on: dt.date | None = None, actor: Actor, client_ip: str = ""
) -> FundEntry:
    """按积分发放 (荣成: 积分多奖励就多): `amount_fen` shared by the points each household earned since `since`."""
    division = division_checked(actor, division_code, village=True)
    day = on or timezone.localdate()
    if amount_fen <= 0:
        raise GovernanceError("发放金额应大于 0")
    earned = (
        CreditEntry.objects.filter(
            account__division_code=division.code, kind=CreditEntry.Kind.EARN, on__gt=since, on__lte=day
        )
        .values("account_id")
        .annotate(p=Sum("points"))
    )
    points = {row["account_id"]: row["p"] for row in earned if row["p"] > 0}
    if not points:
        raise GovernanceError(f"{since} 之后本村没有户获得积分，无可发放对象")
    with transaction.atomic():
        fund = _fund(division.code)
        if (
            CreditFund.objects.filter(pk=fund.pk, balance_fen__gte=amount_fen).update(
                balance_fen=F("balance_fen") - amount_fen
            )
            != 1
        ):
            raise GovernanceError(f"信用基金余额 {fund.balance_fen} 分，不足发放 {amount_fen} 分")
        fund.refresh_from_db()
        entry = FundEntry.objects.create(
            fund=fund, kind=FundEntry.Kind.PAYOUT, amount_fen=-amount_fen, balance_fen=fund.balance_fen, on=day,
            counterpart=f"按 {since} 之后所得积分发放，{len(points)} 户", recorded_by=user_or_none(actor),
        )  # fmt: skip
        FundPayout.objects.bulk_create(
            FundPayout(fund_entry=entry, account_id=k, points=points[k], amount_fen=v)
            for k, v in shares(amount_fen, points).items()
        )
        _audit(
            actor,
            "gov_fund",
            fund.pk,
            f"{division.name} 信用基金按积分发放 {amount_fen} 分，{len(points)} 户",
            client_ip,
        )
    return entry
