"""Forms of the case pages: the window, a step, the survey, objections."""

from __future__ import annotations

from django import forms

from minzheng.cases.casetypes import case_types

# A date input takes ISO dates only; the zh-hans locale would render 2026/12/04 and the field would show empty.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _type_choices() -> list[tuple[str, str]]:
    return [(t.id, t.name) for t in case_types().values() if t.applied_for]


class OpenForm(forms.Form):
    case_type = forms.ChoiceField(label="申请事项", choices=_type_choices)
    applicant = forms.IntegerField(label="申请人", widget=forms.HiddenInput)
    received_on = forms.DateField(label="受理日期", widget=DATE_INPUT)
    authorisation_no = forms.CharField(label="核对授权书编号", max_length=64, required=False)
    urgent = forms.BooleanField(label="急难型（先行救助）", required=False)


class RefuseForm(forms.Form):
    case_type = forms.ChoiceField(label="申请事项", choices=_type_choices)
    applicant = forms.IntegerField(widget=forms.HiddenInput)
    reasons = forms.CharField(label="不予受理的理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)


class StepForm(forms.Form):
    to = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="意见或理由", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
    override_reason = forms.CharField(
        label="与规则判定不一致的书面理由", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )
    amount_yuan = forms.DecimalField(
        label="核定金额（元）", required=False, min_value=0, max_digits=12, decimal_places=2
    )
    on = forms.DateField(label="实际办理日期（补录时填写）", required=False, widget=DATE_INPUT)


class SurveyForm(forms.Form):
    visited_on = forms.DateField(label="入户日期", widget=DATE_INPUT)
    visitors = forms.CharField(label="调查人员（至少两人，用逗号分隔）", max_length=200)
    findings = forms.CharField(label="调查情况", widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)


class ObjectionForm(forms.Form):
    content = forms.CharField(label="异议内容", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    contact = forms.CharField(label="异议人联系方式（可不填）", max_length=64, required=False)
    received_on = forms.DateField(label="收到日期", widget=DATE_INPUT)


class AnswerForm(forms.Form):
    answer = forms.CharField(label="核实与答复情况", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
