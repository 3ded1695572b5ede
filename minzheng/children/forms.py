"""Forms of the child file pages; every label and message in Chinese, naming the field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from minzheng.children.categories import CATEGORIES
from minzheng.children.models import Guardian, ParentSituation, Situation, Source
from minzheng.core import idnumber

DATE = forms.DateInput(attrs={"type": "date"})
TRI = [("", "未核实"), ("yes", "是"), ("no", "否")]


def tri_value(text: str) -> bool | None:
    return {"yes": True, "no": False}.get(text)


def tri_text(value: bool | None) -> str:
    return {True: "yes", False: "no"}.get(value, "") if value is not None else ""


class ChildFilter(forms.Form):
    category = forms.ChoiceField(
        label="类别", required=False, choices=[("", "全部"), *((k, v[1]) for k, v in CATEGORIES.items())]
    )
    village = forms.CharField(label="村（社区）区划代码", required=False, max_length=12)
    pending = forms.BooleanField(label="只看待核对", required=False)

    def clean_village(self) -> str:
        code = (self.cleaned_data.get("village") or "").strip()
        if code and not code.isdigit():
            raise forms.ValidationError("村（社区）区划代码：应为数字")
        return code


class OpenForm(forms.Form):
    id_number = forms.CharField(label="儿童公民身份号码", max_length=18)

    def clean_id_number(self) -> str:
        raw = self.cleaned_data["id_number"]
        if not idnumber.is_valid(raw):
            raise forms.ValidationError("儿童公民身份号码：格式或校验位不正确")
        return idnumber.clean(raw)


def _id_optional(raw: str, label: str) -> str:
    raw = (raw or "").strip()
    if raw and not idnumber.is_valid(raw):
        raise forms.ValidationError(f"{label}：格式或校验位不正确")
    return idnumber.clean(raw) if raw else ""


def _not_future(day: Any, label: str) -> Any:
    if day and day > timezone.localdate():
        raise forms.ValidationError(f"{label}：不能晚于今天")
    return day


class SituationForm(forms.Form):
    parent = forms.ChoiceField(label="父/母", choices=ParentSituation.Parent.choices)
    situation = forms.ChoiceField(label="情形", choices=Situation.choices)
    since = forms.DateField(label="起始日期（死亡、失联、入狱、刑满释放等之日）", widget=DATE)
    source = forms.ChoiceField(label="来源", choices=[c for c in Source.choices if c[0] != Source.FEED])
    evidence = forms.CharField(label="证据（文书名称、编号、出具单位）", max_length=300)
    parent_id_number = forms.CharField(label="父/母公民身份号码（已登记户籍时填写）", required=False, max_length=18)

    def clean_since(self) -> Any:
        return _not_future(self.cleaned_data.get("since"), "起始日期")

    def clean_parent_id_number(self) -> str:
        return _id_optional(self.cleaned_data.get("parent_id_number", ""), "父/母公民身份号码")


class GuardianForm(forms.Form):
    relation = forms.ChoiceField(label="与儿童关系", choices=Guardian.Relation.choices)
    since = forms.DateField(label="监护起始日期", widget=DATE)
    id_number = forms.CharField(label="监护人公民身份号码", required=False, max_length=18)
    name = forms.CharField(label="监护人姓名", required=False, max_length=64)
    phone = forms.CharField(label="联系电话", required=False, max_length=20)
    is_primary = forms.BooleanField(label="主要监护人", required=False, initial=True)

    def clean_since(self) -> Any:
        return _not_future(self.cleaned_data.get("since"), "监护起始日期")

    def clean_id_number(self) -> str:
        return _id_optional(self.cleaned_data.get("id_number", ""), "监护人公民身份号码")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("id_number") and not (data.get("name") or "").strip():
            raise forms.ValidationError("监护人：请填写公民身份号码或姓名")
        return data


class FileForm(forms.Form):
    in_school = forms.ChoiceField(label="是否在校", choices=TRI, required=False)
    school_name = forms.CharField(label="学校", required=False, max_length=100)
    grade = forms.CharField(label="年级", required=False, max_length=32)
    full_time_until = forms.DateField(label="全日制学历教育预计至", required=False, widget=DATE)
    health = forms.CharField(label="健康状况", required=False, max_length=200)
    disability_category = forms.ChoiceField(
        label="残疾类别",
        required=False,
        choices=[("", "无")] + [(c, c) for c in ("视力", "听力", "言语", "肢体", "智力", "精神", "多重")],
    )
    disability_grade = forms.TypedChoiceField(
        label="残疾等级",
        required=False,
        coerce=int,
        empty_value=0,
        choices=[(0, "无"), (1, "一级"), (2, "二级"), (3, "三级"), (4, "四级")],
    )
    guardian_missing = forms.ChoiceField(label="监护缺失（走访认定）", choices=TRI, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("disability_category")) != bool(data.get("disability_grade")):
            raise forms.ValidationError("残疾类别与残疾等级：应同时填写或同时为无")
        return data

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["in_school"] = tri_value(data["in_school"])
        data["guardian_missing"] = tri_value(data["guardian_missing"])
        return data
