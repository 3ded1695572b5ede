"""Forms for the station (intake, extension, return, end of stay) and the contacts (follow-up, new entry)."""

from __future__ import annotations

from django import forms

from minzheng.rescue.models import RISKS, FollowUp, IdentityRequest, Stay

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # what <input type=date> reads
ROWS3 = {"rows": 3}
RISK_CHOICES = list(RISKS.items())


class IntakeForm(forms.Form):
    id_number = forms.CharField(label="公民身份号码（已查明身份时填写）", required=False, max_length=18)
    name = forms.CharField(label="姓名（自报）", required=False, max_length=64)
    sex = forms.ChoiceField(label="性别", required=False, choices=[("", "不详"), ("1", "男"), ("2", "女")])
    age_estimate = forms.IntegerField(label="估计年龄", required=False, min_value=0, max_value=120)
    description = forms.CharField(
        label="体貌特征（身份未明时必填）", required=False, widget=forms.Textarea(attrs=ROWS3)
    )
    photo = forms.FileField(label="照片（JPEG/PNG）", required=False)
    found_at = forms.CharField(label="发现地点", max_length=200)
    found_on = forms.DateField(label="发现日期", widget=DATE)
    brought_by = forms.ChoiceField(label="送站方式", choices=Stay.BroughtBy.choices)
    condition = forms.CharField(label="身体、精神状况", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    risks = forms.MultipleChoiceField(
        label="高风险标记", required=False, choices=RISK_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    admitted_on = forms.DateField(label="入站日期", widget=DATE)
    planned_leave_on = forms.DateField(label="计划离站日期", required=False, widget=DATE)


class ExtendForm(forms.Form):
    reason = forms.CharField(label="延长救助理由", widget=forms.Textarea(attrs={"rows": 2}))
    planned_leave_on = forms.DateField(label="新的计划离站日期", required=False, widget=DATE)


class IdentityRequestForm(forms.Form):
    method = forms.ChoiceField(label="比对方式", choices=IdentityRequest.Method.choices)


class IdentityAnswerForm(forms.Form):
    result = forms.ChoiceField(
        label="比对结果",
        choices=[(IdentityRequest.Result.MATCHED, "比中"), (IdentityRequest.Result.NO_MATCH, "未比中")],
    )
    id_number = forms.CharField(label="比中的身份号码", required=False, max_length=18)
    note = forms.CharField(label="反馈说明", required=False, max_length=300)


class ReturnForm(forms.Form):
    escort = forms.CharField(label="护送人员", max_length=100)
    receiving_division = forms.CharField(label="接收地区划代码（乡镇或村，12 位）", max_length=12)
    receiver = forms.CharField(label="接收人", max_length=64)
    on = forms.DateField(label="交接日期", widget=DATE)
    note = forms.CharField(label="交接记录", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    prone_to_wander = forms.BooleanField(label="同时列入易流浪走失人员台账", required=False)


class EndForm(forms.Form):
    to = forms.ChoiceField(
        label="离站方式", choices=[("transferred", "转介安置"), ("left", "自行离站"), ("died", "在站死亡")]
    )
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}))
    on = forms.DateField(label="日期", widget=DATE)


class FollowUpForm(forms.Form):
    visited_on = forms.DateField(label="回访日期", widget=DATE)
    outcome = forms.ChoiceField(label="回访结果", choices=FollowUp.Outcome.choices, widget=forms.RadioSelect)
    need = forms.ChoiceField(label="帮扶需求", required=False, choices=FollowUp.Need.choices)
    note = forms.CharField(label="回访记录", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class WanderForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=64)
    id_number = forms.CharField(label="公民身份号码", required=False, max_length=18)
    phone = forms.CharField(label="联系电话（本人或监护人）", required=False, max_length=20)
    address = forms.CharField(label="现住址", required=False, max_length=200)
    division_code = forms.CharField(label="所在村（社区）区划代码（12 位）", max_length=12)
    risks = forms.MultipleChoiceField(
        label="高风险标记", required=False, choices=RISK_CHOICES, widget=forms.CheckboxSelectMultiple
    )


class CloseForm(forms.Form):
    reason = forms.CharField(label="销账原因", max_length=200)
