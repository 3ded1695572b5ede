"""老年助餐: canteens, daily menus, meal orders (堂食 or 送餐) with their subsidy, monthly settlement.

Money is integer fen. The subsidy of each order is computed when it is placed, from dated regional
parameters (meals/data/params.yaml), and stored with its explanation, so a later change of the
standard never rewrites a past month.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CanteenKind(models.TextChoices):
    """民发〔2023〕58号: 老年食堂, 助餐点, and meals bought from restaurants or institutions."""

    CANTEEN = "canteen", "老年食堂"
    POINT = "point", "助餐点"
    PARTNER = "partner", "合作餐饮机构"


class Meal(models.TextChoices):
    BREAKFAST = "breakfast", "早餐"
    LUNCH = "lunch", "午餐"
    DINNER = "dinner", "晚餐"


class Mode(models.TextChoices):
    DINE_IN = "dine_in", "堂食"
    DELIVERY = "delivery", "送餐"


class Canteen(models.Model):
    name = models.CharField(max_length=100, db_comment="名称")
    kind = models.CharField(max_length=16, choices=CanteenKind.choices, db_comment="类型")
    division_code = models.CharField(max_length=12, db_index=True, db_comment="所在村（社区）区划代码")
    address = models.CharField(max_length=200, blank=True, db_comment="地址")
    phone = models.CharField(max_length=20, blank=True, db_comment="联系电话")
    delivers = models.BooleanField(default=True, db_comment="提供送餐")
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="meal_canteens")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table_comment = "老年助餐点"

    def __str__(self) -> str:
        return self.name


class Menu(models.Model):
    """One meal of one day at one canteen, at its full price per portion."""

    canteen = models.ForeignKey(Canteen, on_delete=models.PROTECT, related_name="menus")
    date = models.DateField(db_comment="日期")
    meal = models.CharField(max_length=16, choices=Meal.choices, db_comment="餐次")
    dishes = models.CharField(max_length=300, db_comment="菜品")
    price_fen = models.PositiveIntegerField(db_comment="每份价格（分）")

    class Meta:
        db_table_comment = "助餐菜单"
        constraints = [models.UniqueConstraint(fields=["canteen", "date", "meal"], name="one_menu_per_meal")]

    def __str__(self) -> str:
        return f"{self.date} {self.get_meal_display()}"


class MealOrder(models.Model):
    class Status(models.TextChoices):
        PLACED = "placed", "已下单"
        SERVED = "served", "已取餐"
        DELIVERED = "delivered", "已送达"
        CANCELLED = "cancelled", "已取消"

    menu = models.ForeignKey(Menu, on_delete=models.PROTECT, related_name="orders")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="meal_orders")
    division_code = models.CharField(max_length=12, db_index=True, db_comment="老人住址区划代码（冗余）")
    mode = models.CharField(max_length=16, choices=Mode.choices, db_comment="堂食/送餐")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLACED, db_comment="状态")
    price_fen = models.PositiveIntegerField(db_comment="价格（分）")
    subsidy_fen = models.PositiveIntegerField(db_comment="补贴（分）")
    pay_fen = models.PositiveIntegerField(db_comment="个人支付（分）")
    # [{"text": "...", "key": "meals.subsidy.per_day", "region": "330212", "from": "2024-01-01", "value": "5"}]
    basis = models.JSONField(default=list, db_comment="补贴依据（参数、地区、生效日期）")
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    placed_at = models.DateTimeField(db_comment="下单时间")
    handed_at = models.DateTimeField(null=True, blank=True, db_comment="取餐/送达时间")
    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancel_reason = models.CharField(max_length=200, blank=True, db_comment="取消原因")

    class Meta:
        db_table_comment = "助餐订单"
        constraints = [
            models.UniqueConstraint(
                fields=["menu", "person"], condition=~models.Q(status="cancelled"), name="one_live_meal_order"
            )
        ]
        indexes = [models.Index(fields=["person", "status"])]

    def __str__(self) -> str:
        return f"{self.person} {self.menu}"


class Settlement(models.Model):
    """A canteen's month: served meals, subsidy owed by the government, and what elders paid."""

    class Status(models.TextChoices):
        DRAFT = "draft", "待审核"
        APPROVED = "approved", "已审核"

    canteen = models.ForeignKey(Canteen, on_delete=models.PROTECT, related_name="settlements")
    month = models.DateField(db_comment="结算月份（当月1日）")
    meals = models.PositiveIntegerField(db_comment="餐数")
    persons = models.PositiveIntegerField(db_comment="人数")
    price_fen = models.PositiveBigIntegerField(db_comment="餐费合计（分）")
    subsidy_fen = models.PositiveBigIntegerField(db_comment="应付补贴（分）")
    pay_fen = models.PositiveBigIntegerField(db_comment="个人支付合计（分）")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, db_comment="状态")
    built_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    built_at = models.DateTimeField(db_comment="生成时间")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True, db_comment="审核时间")

    class Meta:
        db_table_comment = "助餐月度结算"
        constraints = [models.UniqueConstraint(fields=["canteen", "month"], name="one_settlement_per_month")]

    def __str__(self) -> str:
        return f"{self.canteen} {self.month:%Y-%m}"
