"""一键核对（家庭经济状况核对）: forms."""

from __future__ import annotations

from django import forms


# --- 一键核对 (v2_household) -------------------------------------------------------------------------
class HouseholdVerifyForm(forms.Form):
    authorisation_ref = forms.CharField(
        label="核对授权书编号",
        max_length=64,
        error_messages={
            "required": "请填写核对授权书编号：没有家庭成员签署的核对授权书，不能查询其部门数据",
            "max_length": "核对授权书编号不能超过 64 个字符",
        },
    )
    as_of = forms.DateField(
        label="数据时点",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "请填写数据时点", "invalid": "数据时点应为日期，如 2026-12-01"},
    )
