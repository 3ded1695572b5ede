"""Forms of the disaster pages (Chinese labels; services re-check everything)."""

from __future__ import annotations

from typing import Any

from django import forms

from minzheng.disaster.models import HouseDamage, Item, Kind, Warning
from minzheng.disaster.services import standards

DATE = forms.DateInput(attrs={"type": "date"})


def _kinds() -> list[tuple[str, str]]:
    return list(standards()["kinds"]["values"].items())


def _levels() -> list[tuple[str, str]]:
    return [("", "未启动"), *standards()["levels"]["values"].items()]


class EventForm(forms.Form):
    name = forms.CharField(label="事件名称", max_length=80)
    kind = forms.ChoiceField(label="灾害类型（GB/T 28921）", choices=_kinds)
    areas = forms.CharField(
        label="受灾区域（乡镇或村区划代码，逗号分隔）", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    started_on = forms.DateField(label="发生日期", widget=DATE)
    ended_on = forms.DateField(label="灾情稳定日期", widget=DATE, required=False)
    response_level = forms.ChoiceField(
        label="应急响应等级（国家自然灾害救助应急预案）", choices=_levels, required=False
    )
    level_basis = forms.CharField(label="启动依据（预案条款、会商意见）", max_length=300, required=False)
    description = forms.CharField(label="灾情简述", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def area_list(self) -> list[str]:
        raw = self.cleaned_data["areas"].replace("，", ",").replace("、", ",").replace("\n", ",")
        return [c.strip() for c in raw.split(",") if c.strip()]


class AssessmentForm(forms.Form):
    village = forms.ChoiceField(label="村（社区）")
    affected_persons = forms.IntegerField(label="受灾人口（人）", min_value=0, initial=0)
    relocated_persons = forms.IntegerField(label="紧急转移安置人口（人）", min_value=0, initial=0)
    transition_persons = forms.IntegerField(label="需过渡期生活救助人口（人）", min_value=0, initial=0)
    houses_collapsed = forms.IntegerField(label="倒塌房屋（间）", min_value=0, initial=0)
    houses_severe = forms.IntegerField(label="严重损坏房屋（间）", min_value=0, initial=0)
    houses_general = forms.IntegerField(label="一般损坏房屋（间）", min_value=0, initial=0)
    loss_yuan = forms.DecimalField(label="直接经济损失（元）", min_value=0, decimal_places=2, initial=0)
    note = forms.CharField(label="说明", max_length=300, required=False)

    def __init__(self, *args: Any, villages: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = villages


class ClaimForm(forms.Form):
    kind = forms.ChoiceField(label="救助类别", choices=Kind.choices)
    household_no = forms.CharField(label="户编号", max_length=40)
    received_on = forms.DateField(label="受理日期", widget=DATE)
    authorisation_no = forms.CharField(label="核对授权书编号", max_length=64, required=False)
    house_damage = forms.ChoiceField(label="住房倒损", choices=HouseDamage.choices, required=False)
    no_livelihood = forms.BooleanField(label="灾后无生活来源", required=False)
    transition_persons = forms.IntegerField(label="需过渡期生活救助人数", min_value=0, initial=0)
    winter_hardship = forms.BooleanField(label="冬春口粮、衣被、取暖有困难", required=False)
    winter_persons = forms.IntegerField(label="冬春救助人数", min_value=0, initial=0)
    note = forms.CharField(label="核查说明", max_length=300, required=False)


class WarehouseForm(forms.Form):
    code = forms.CharField(label="储备库编号", max_length=24)
    name = forms.CharField(label="名称", max_length=80)
    division_code = forms.CharField(label="所在区划代码", max_length=12)
    address = forms.CharField(label="地址", max_length=200, required=False)
    keeper = forms.CharField(label="保管员", max_length=40, required=False)


class ItemForm(forms.Form):
    code = forms.CharField(label="物资编码", max_length=24)
    name = forms.CharField(label="物资名称", max_length=60)
    unit = forms.CharField(label="计量单位", max_length=8)
    category = forms.CharField(label="类别", max_length=20, required=False)


class ReceiveForm(forms.Form):
    item = forms.ModelChoiceField(label="物资", queryset=Item.objects.order_by("name"))
    batch_no = forms.CharField(label="批次号", max_length=40, required=False)
    quantity = forms.IntegerField(label="数量", min_value=1)
    received_on = forms.DateField(label="入库日期", widget=DATE)
    expires_on = forms.DateField(label="有效期至", widget=DATE, required=False)
    source = forms.CharField(label="来源（采购、调拨、捐赠）", max_length=80, required=False)


class WriteOffForm(forms.Form):
    lot = forms.IntegerField(widget=forms.HiddenInput)
    quantity = forms.IntegerField(label="报损数量", min_value=1)
    reason = forms.CharField(label="报损原因", max_length=200)


class ReturnForm(forms.Form):
    lot = forms.IntegerField(widget=forms.HiddenInput)
    quantity = forms.IntegerField(label="退回数量", min_value=1)
    reason = forms.CharField(label="退回原因", max_length=200)


class WarningForm(forms.Form):
    title = forms.CharField(label="预警内容", max_length=120)
    level = forms.ChoiceField(label="预警等级", choices=Warning.Level.choices)
    areas = forms.CharField(label="预警区域（乡镇或村区划代码，逗号分隔）", max_length=2000)
    minutes = forms.IntegerField(label="叫应时限（分钟）", min_value=5, max_value=1440, initial=60)

    def area_list(self) -> list[str]:
        raw = self.cleaned_data["areas"].replace("，", ",").replace("、", ",")
        return [c.strip() for c in raw.split(",") if c.strip()]


class ContactForm(forms.Form):
    village = forms.CharField(label="村（社区）区划代码", max_length=12)
    name = forms.CharField(label="姓名", max_length=40)
    phone = forms.CharField(label="联系电话", max_length=20)
    role = forms.CharField(label="身份（灾害信息员、村干部、重点对象）", max_length=20, initial="灾害信息员")
