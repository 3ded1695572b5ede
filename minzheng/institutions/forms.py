"""Forms of the institution pages; every label and message in Chinese, naming the field."""

from __future__ import annotations

from typing import Any

from django import forms

from minzheng.core import idnumber
from minzheng.institutions.models import CARE_LEVELS, Facility, Finding, Inspection, Institution, Resident
from minzheng.institutions.services_quality import criteria

DATE = forms.DateInput(attrs={"type": "date"})
LEVELS = [("", "按能力评估记录")] + [(str(k), v) for k, v in CARE_LEVELS.items()]


class InstitutionForm(forms.Form):
    code = forms.CharField(label="机构代码", max_length=32)
    name = forms.CharField(label="机构名称", max_length=100)
    kind = forms.ChoiceField(label="性质", choices=Institution.Kind.choices)
    operator = forms.CharField(label="运营方", max_length=100)
    filing_no = forms.CharField(label="备案回执编号", max_length=40, required=False)
    licence_no = forms.CharField(label="设立许可证号（2019 年前）", max_length=40, required=False)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18, required=False)
    division_code = forms.CharField(label="所在村（社区）区划代码", max_length=12)
    address = forms.CharField(label="地址", max_length=200, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    lat = forms.FloatField(label="纬度", required=False, min_value=-90, max_value=90)
    lng = forms.FloatField(label="经度", required=False, min_value=-180, max_value=180)
    medical = forms.BooleanField(label="内设医疗机构（医养结合）", required=False)
    opened_on = forms.DateField(label="开业日期", required=False, widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for level, label in CARE_LEVELS.items():
            self.fields[f"beds_{level}"] = forms.IntegerField(label=f"{label}床位", min_value=0, initial=0)

    def beds(self) -> dict[str, int]:
        return {str(level): int(self.cleaned_data.get(f"beds_{level}") or 0) for level in CARE_LEVELS}


class AccountForm(forms.Form):
    bank_code = forms.CharField(label="开户银行代码", max_length=16)
    bank_name = forms.CharField(label="开户银行名称", max_length=64)
    account_no = forms.CharField(label="对公账号", max_length=40)
    reason = forms.CharField(label="登记或变更原因", max_length=200)


class AdmitForm(forms.Form):
    id_number = forms.CharField(label="老人公民身份号码", max_length=18)
    admitted_on = forms.DateField(label="入住日期", widget=DATE)
    supply = forms.ChoiceField(label="入住方式", choices=Resident.Supply.choices)
    care_level = forms.ChoiceField(label="照护等级", choices=LEVELS, required=False)
    level_assessed_on = forms.DateField(label="能力评估日期", required=False, widget=DATE)
    agreement_no = forms.CharField(label="服务协议编号", max_length=40, required=False)
    bed_no = forms.CharField(label="房间床位号", max_length=20, required=False)

    def clean_id_number(self) -> str:
        raw = self.cleaned_data["id_number"]
        if not idnumber.is_valid(raw):
            raise forms.ValidationError("老人公民身份号码：格式或校验位不正确")
        return idnumber.clean(raw)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("care_level") and not data.get("level_assessed_on"):
            self.add_error("level_assessed_on", "填写照护等级时须填写能力评估日期")
        return data


class DischargeForm(forms.Form):
    on = forms.DateField(label="离院日期", widget=DATE)
    reason = forms.ChoiceField(label="离院原因", choices=Resident.Discharge.choices)
    note = forms.CharField(label="备注", max_length=200, required=False)


class LevelForm(forms.Form):
    level = forms.ChoiceField(label="照护等级", choices=[(str(k), v) for k, v in CARE_LEVELS.items()])
    assessed_on = forms.DateField(label="评估日期", widget=DATE)


class RatingForm(forms.Form):
    visited_on = forms.DateField(label="评定现场检查日期", widget=DATE)
    assessors = forms.CharField(label="评定人员", max_length=200)
    prerequisites_met = forms.BooleanField(label="满足评定前提条件", required=False, initial=True)
    note = forms.CharField(label="备注", max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for area in criteria()["areas"]:
            self.fields[f"score_{area['key']}"] = forms.IntegerField(
                label=f"{area['label']}（满分 {area['max']}）", min_value=0, max_value=int(area["max"])
            )

    def scores(self) -> dict[str, int]:
        return {a["key"]: int(self.cleaned_data[f"score_{a['key']}"]) for a in criteria()["areas"]}


class PlanForm(forms.Form):
    kind = forms.ChoiceField(label="检查类型", choices=Inspection.Kind.choices)
    planned_on = forms.DateField(label="计划检查日期", widget=DATE)


class RecordForm(forms.Form):
    inspected_on = forms.DateField(label="检查日期", widget=DATE)
    inspectors = forms.CharField(label="检查人员", max_length=200)
    summary = forms.CharField(label="检查结论", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    findings = forms.CharField(
        label="发现的问题（每行一个；重大隐患在行首写“重大：”）",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def finding_inputs(self) -> list[tuple[str, str]]:
        out = []
        for line in (self.cleaned_data.get("findings") or "").splitlines():
            text = line.strip()
            if not text:
                continue
            major = text.startswith(("重大：", "重大:"))
            out.append(
                (text[3:].strip() if major else text, Finding.Severity.MAJOR if major else Finding.Severity.GENERAL)
            )
        return out


class FacilityForm(forms.ModelForm):
    class Meta:
        model = Facility
        fields = ["name", "kind", "division_code", "address", "operator", "lat", "lng", "opened_on", "active"]
        labels = {
            "name": "名称", "kind": "类型", "division_code": "所在村（社区）区划代码", "address": "地址",
            "operator": "运营方", "lat": "纬度", "lng": "经度", "opened_on": "启用日期", "active": "在运营",
        }  # fmt: skip
        widgets = {"opened_on": DATE}

    def clean_division_code(self) -> str:
        code = (self.cleaned_data.get("division_code") or "").strip()
        if len(code) != 12 or not code.isdigit():
            raise forms.ValidationError("所在村（社区）区划代码：应为 12 位数字")
        return code
