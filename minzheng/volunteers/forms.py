"""Forms of the 社工站 / 志愿者 / 时间银行 pages; labels are the Chinese names errors cite."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django import forms

from minzheng.core import idnumber
from minzheng.volunteers.models import Certificate, Skill
from minzheng.volunteers.services import PERIODS, WEEKDAYS
from minzheng.volunteers.services_timebank import RELATIONS

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"})


class IdNumberField(forms.CharField):
    def clean(self, value: Any) -> str:
        text = super().clean(value)
        if not text:
            return ""
        try:
            return idnumber.parse(text).number
        except idnumber.IdNumberError as exc:
            raise forms.ValidationError(f"公民身份号码{exc}") from exc


class StationForm(forms.Form):
    town_code = forms.CharField(label="所在乡镇区划代码", min_length=9, max_length=9)
    name = forms.CharField(label="社工站名称", max_length=100)
    address = forms.CharField(label="地址", max_length=200, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    operator_name = forms.CharField(label="运营机构", max_length=100, required=False)
    operator_credit_code = forms.CharField(label="运营机构统一社会信用代码", max_length=18, required=False)
    opened_on = forms.DateField(label="建站日期", required=False, widget=DATE)


class WorkerForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=64)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    certificate = forms.ChoiceField(label="证书等级", choices=Certificate.choices)
    certificate_no = forms.CharField(label="证书编号", max_length=40, required=False)
    username = forms.CharField(label="社工账号（可空）", max_length=150, required=False)
    joined_on = forms.DateField(label="到岗日期", required=False, widget=DATE)


class _Availability(forms.Form):
    skills = forms.MultipleChoiceField(label="服务技能", choices=Skill.choices, widget=forms.CheckboxSelectMultiple)
    weekdays = forms.TypedMultipleChoiceField(
        label="可服务日", choices=list(enumerate(WEEKDAYS)), coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    periods = forms.MultipleChoiceField(
        label="可服务时段", choices=list(PERIODS.items()), required=False, widget=forms.CheckboxSelectMultiple
    )
    phone = forms.CharField(label="联系电话", max_length=20, required=False)


class RegisterForm(_Availability):
    id_number = IdNumberField(label="公民身份号码", max_length=18)
    field_order = ["id_number", "skills", "weekdays", "periods", "phone"]


class EditForm(_Availability):
    active = forms.BooleanField(label="在册", required=False)


class LinkForm(forms.Form):
    username = forms.CharField(label="志愿者账号", max_length=150)


class VolunteerFilter(forms.Form):
    skill = forms.ChoiceField(label="服务技能", choices=[("", "全部"), *Skill.choices], required=False)
    village = forms.CharField(label="村（社区）区划代码", max_length=12, required=False)
    weekday = forms.TypedChoiceField(
        label="可服务日", choices=[("", "不限"), *enumerate(WEEKDAYS)], coerce=int, empty_value=None, required=False
    )


class ActivityForm(forms.Form):
    title = forms.CharField(label="活动名称", max_length=100)
    kind = forms.ChoiceField(label="服务类别", choices=Skill.choices)
    division_code = forms.CharField(label="地点区划代码", min_length=9, max_length=12)
    place = forms.CharField(label="活动地点", max_length=200)
    lat = forms.FloatField(label="地点纬度", min_value=-90, max_value=90)
    lng = forms.FloatField(label="地点经度", min_value=-180, max_value=180)
    starts_at = forms.DateTimeField(label="开始时间", widget=DATETIME)
    ends_at = forms.DateTimeField(label="结束时间", widget=DATETIME)
    radius_m = forms.IntegerField(label="签到范围（米）", min_value=50, max_value=5000, initial=300)
    timebank = forms.BooleanField(label="计入时间银行（养老服务类活动）", required=False)
    description = forms.CharField(label="服务内容", max_length=300, required=False)


class ConfirmForm(forms.Form):
    minutes = forms.IntegerField(label="确认时长（分钟）", min_value=0, required=False)
    note = forms.CharField(label="确认说明", max_length=200, required=False)


class SignForm(forms.Form):
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    client_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(label="说明（未定位或超出范围时填写）", max_length=200, required=False)


class TransferForm(forms.Form):
    receiver = IdNumberField(label="转入人公民身份号码", max_length=18)
    hours = forms.DecimalField(label="转赠时长（小时）", min_value=Decimal("0.5"), max_digits=6, decimal_places=1)
    declared_relation = forms.ChoiceField(
        label="申报的亲属关系（户籍中不同户时）", choices=[("", "—"), *RELATIONS.items()], required=False
    )
    evidence = forms.CharField(label="证明材料", max_length=150, required=False)
    request_key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["request_key"].initial = uuid.uuid4().hex

    @property
    def minutes(self) -> int:
        return int(self.cleaned_data["hours"] * 60)


class DrawForm(forms.Form):
    items = forms.MultipleChoiceField(label="服务项目", widget=forms.CheckboxSelectMultiple)
    window_start = forms.DateTimeField(label="预约上门时间", widget=DATETIME)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from minzheng.eldercare.models import ServiceItem

        super().__init__(*args, **kwargs)
        rows = ServiceItem.objects.filter(active=True).order_by("code")
        self.fields["items"].choices = [(i.code, f"{i.name}（{i.standard_minutes} 分钟）") for i in rows]
