"""信用+ (seed 004 §荣成): point rules per village as data, one account and ledger per household, the 信用超市
(items, stock, redemptions) and the 信用基金 (money in fen, paid out by points).

A balance changes only by a ledger row written in the same transaction as a conditional UPDATE of the account
(`balance >= cost`), so two redemptions at once cannot overdraw it. It never goes below zero unless the
deducting rule says so (`may_go_negative`); otherwise a deduction takes at most what is there.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class CreditRule(models.Model):
    """One rule item of a village's 信用管理办法 (code, text, points, yearly cap), dated so it can be revised."""

    division_code = models.CharField(max_length=12, db_comment="村（社区）区划代码")
    code = models.CharField(max_length=20, db_comment="条目编号")
    text = models.CharField(max_length=200, db_comment="条目内容")
    points = models.IntegerField(db_comment="分值（正为加分，负为扣分）")
    cap_per_year = models.PositiveIntegerField(null=True, blank=True, db_comment="每户每年按本条最多计分（绝对值）")
    may_go_negative = models.BooleanField(default=False, db_comment="扣分可使余额为负")
    source = models.CharField(max_length=200, blank=True, db_comment="依据（村规民约条款）")
    effective_from = models.DateField(db_comment="生效日期")
    effective_to = models.DateField(null=True, blank=True, db_comment="停用日期")

    class Meta:
        db_table_comment = "信用积分规则"
        constraints = [
            models.UniqueConstraint(fields=["division_code", "code", "effective_from"], name="gov_rule_version"),
            models.CheckConstraint(condition=~models.Q(points=0), name="gov_rule_points_nonzero"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text}（{self.points:+d}）"


class CreditAccount(models.Model):
    household = models.OneToOneField("registry.Household", on_delete=models.PROTECT, related_name="+")
    division_code = models.CharField(max_length=12, db_comment="村（社区）区划代码")
    balance = models.IntegerField(default=0, db_comment="积分余额")
    earned = models.IntegerField(default=0, db_comment="累计获得积分")

    class Meta:
        db_table_comment = "户信用积分账户"
        indexes = [models.Index(fields=["division_code"], name="gov_credit_div")]

    def __str__(self) -> str:
        return f"{self.household_id}：{self.balance} 分"


class CreditEntry(models.Model):
    class Kind(models.TextChoices):
        EARN = "earn", "加分"
        DEDUCT = "deduct", "扣分"
        REDEEM = "redeem", "兑换"
        REVERSE = "reverse", "更正"

    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=8, choices=Kind.choices, db_comment="类型")
    rule = models.ForeignKey(CreditRule, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    points = models.IntegerField(db_comment="本次变动（负为减少）")
    balance_after = models.IntegerField(db_comment="变动后余额")
    on = models.DateField(db_comment="发生日期")
    evidence = models.CharField(max_length=200, blank=True, db_comment="事实与佐证")
    note = models.CharField(max_length=200, blank=True, db_comment="说明（如扣至零为止）")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "信用积分明细"
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.points:+d}"


class ShopItem(models.Model):
    """信用超市 goods of one village, priced in points."""

    division_code = models.CharField(max_length=12, db_comment="村（社区）区划代码")
    name = models.CharField(max_length=64, db_comment="物品")
    points = models.PositiveIntegerField(db_comment="兑换所需积分")
    stock = models.PositiveIntegerField(default=0, db_comment="库存")
    donor = models.CharField(max_length=100, blank=True, db_comment="捐赠方或采购来源")
    active = models.BooleanField(default=True, db_comment="上架")

    class Meta:
        db_table_comment = "信用超市物品"
        constraints = [models.CheckConstraint(condition=models.Q(points__gt=0), name="gov_item_points_positive")]

    def __str__(self) -> str:
        return f"{self.name}（{self.points} 分）"


class Redemption(models.Model):
    item = models.ForeignKey(ShopItem, on_delete=models.PROTECT, related_name="redemptions")
    entry = models.OneToOneField(CreditEntry, on_delete=models.PROTECT, related_name="redemption")
    quantity = models.PositiveIntegerField(db_comment="数量")

    class Meta:
        db_table_comment = "信用超市兑换记录"

    def __str__(self) -> str:
        return f"{self.item.name} × {self.quantity}"


class CreditFund(models.Model):
    """One village's 信用基金: its balance moves only by a conditional UPDATE beside a FundEntry."""

    division_code = models.CharField(max_length=12, unique=True, db_comment="村（社区）区划代码")
    balance_fen = models.BigIntegerField(default=0, db_comment="基金余额（分）")

    class Meta:
        db_table_comment = "信用基金"
        constraints = [models.CheckConstraint(condition=models.Q(balance_fen__gte=0), name="gov_fund_not_negative")]

    def __str__(self) -> str:
        return f"{self.division_code} 信用基金"


class FundEntry(models.Model):
    """信用基金 of one village: money in (拨入、捐赠) and out (按积分发放、超市采购), in fen."""

    class Kind(models.TextChoices):
        ALLOCATION = "allocation", "福利资金转入"
        DONATION = "donation", "社会捐赠"
        PAYOUT = "payout", "按积分发放"
        PURCHASE = "purchase", "超市采购"

    fund = models.ForeignKey(CreditFund, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=12, choices=Kind.choices, db_comment="类型")
    amount_fen = models.BigIntegerField(db_comment="金额（分，支出为负）")
    balance_fen = models.BigIntegerField(db_comment="变动后基金余额（分）")
    on = models.DateField(db_comment="日期")
    counterpart = models.CharField(max_length=100, blank=True, db_comment="来源或用途")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table_comment = "信用基金收支"
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount_fen} 分"


class FundPayout(models.Model):
    """One household's share of a 信用基金 payout, by its points."""

    fund_entry = models.ForeignKey(FundEntry, on_delete=models.PROTECT, related_name="payouts")
    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="payouts")
    points = models.IntegerField(db_comment="计发积分")
    amount_fen = models.BigIntegerField(db_comment="发放金额（分）")

    class Meta:
        db_table_comment = "信用基金发放明细"
        constraints = [models.UniqueConstraint(fields=["fund_entry", "account"], name="gov_payout_once")]

    def __str__(self) -> str:
        return f"{self.account_id}：{self.amount_fen} 分"
