"""老年助餐: forms."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from minzheng.meals.models import CanteenKind, Meal, Mode


class CanteenForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=CanteenKind.choices)
    division_code = forms.RegexField(label="所在村（社区）区划代码", regex=r"^\d{12}$", max_length=12)
    address = forms.CharField(label="地址", max_length=200, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    delivers = forms.BooleanField(label="提供送餐", required=False, initial=True)


class MenuForm(forms.Form):
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    meal = forms.ChoiceField(label="餐次", choices=Meal.choices, initial=Meal.LUNCH)
    dishes = forms.CharField(label="菜品", max_length=300)
    price = forms.DecimalField(label="每份价格（元）", min_value=Decimal("0.01"), max_digits=7, decimal_places=2)

    def price_fen(self) -> int:
        return int(self.cleaned_data["price"] * 100)


class OrderForm(forms.Form):
    id_number = forms.CharField(label="老人公民身份号码", max_length=18, min_length=18)
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    meal = forms.ChoiceField(label="餐次", choices=Meal.choices, initial=Meal.LUNCH)
    mode = forms.ChoiceField(label="方式", choices=Mode.choices)


class CancelForm(forms.Form):
    reason = forms.CharField(label="取消原因", max_length=200)


class MonthForm(forms.Form):
    month = forms.RegexField(label="月份", regex=r"^\d{4}-\d{2}$", widget=forms.TextInput(attrs={"type": "month"}))
