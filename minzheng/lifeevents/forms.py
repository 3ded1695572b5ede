"""The window's one form: what every downstream item needs, asked once (by kind), and the family's authorisation."""

from __future__ import annotations

from typing import Any

from django import forms

from minzheng.lifeevents.models import Kind

DATE = forms.DateInput(attrs={"type": "date"})
REPORTER = ("reporter_name", "reporter_id_number", "reporter_phone", "reporter_relation", "authorisation_no")
# Facts per kind (form field → fact key); the booleans decide which items concern the family.
FACTS = {
    Kind.DEATH: (
        "died_on",
        "death_place",
        "funeral_home",
        "has_pension",
        "has_driving_licence",
        "has_housing_fund",
        "is_veteran",
        "has_property",
        "eco_burial",
    ),
    Kind.BIRTH: ("born_on", "child_name", "child_sex", "birth_certificate_no", "partner_id_number", "mother_insured"),
    Kind.MARRIAGE: ("registered_on", "partner_id_number", "certificate_no", "moves", "birth_plan", "medical_family"),
}
REQUIRED = {
    Kind.DEATH: ("died_on",),
    Kind.BIRTH: ("born_on", "child_name"),
    Kind.MARRIAGE: ("registered_on", "partner_id_number"),
}


class EventForm(forms.Form):
    kind = forms.ChoiceField(choices=Kind.choices, widget=forms.HiddenInput)
    person = forms.IntegerField(widget=forms.HiddenInput)
    reporter_name = forms.CharField(label="申请人（家属）姓名", max_length=64)
    reporter_id_number = forms.CharField(label="申请人身份号码", max_length=18, required=False)
    reporter_phone = forms.CharField(label="申请人电话（办结通知）", max_length=20)
    reporter_relation = forms.CharField(label="与当事人关系", max_length=16, required=False)
    authorisation_no = forms.CharField(label="授权书编号（家属签字）", max_length=64)
    # 身后
    died_on = forms.DateField(label="死亡日期", required=False, widget=DATE)
    death_place = forms.CharField(label="死亡地点", max_length=100, required=False)
    funeral_home = forms.CharField(label="殡仪馆", max_length=64, required=False)
    has_pension = forms.BooleanField(label="领取基本养老金（含城乡居民养老保险）", required=False)
    has_driving_licence = forms.BooleanField(label="持有机动车驾驶证", required=False)
    has_housing_fund = forms.BooleanField(label="有住房公积金账户", required=False)
    is_veteran = forms.BooleanField(label="优抚对象（退役军人等）", required=False)
    has_property = forms.BooleanField(label="名下有不动产需继承", required=False)
    eco_burial = forms.BooleanField(label="选择节地生态安葬（草坪葬、树葬、海葬等）", required=False)
    # 出生
    born_on = forms.DateField(label="出生日期", required=False, widget=DATE)
    child_name = forms.CharField(label="新生儿姓名", max_length=64, required=False)
    child_sex = forms.ChoiceField(label="新生儿性别", choices=[("", "—"), ("M", "男"), ("F", "女")], required=False)
    birth_certificate_no = forms.CharField(label="出生医学证明编号", max_length=32, required=False)
    mother_insured = forms.BooleanField(label="母亲参加职工生育保险", required=False)
    # 婚育户 (partner: the spouse; for a birth, the father)
    registered_on = forms.DateField(label="结婚登记日期", required=False, widget=DATE)
    partner_id_number = forms.CharField(label="配偶（或新生儿父亲）身份号码", max_length=18, required=False)
    certificate_no = forms.CharField(label="结婚证字号", max_length=32, required=False)
    moves = forms.BooleanField(label="婚后户口迁入配偶户", required=False)
    birth_plan = forms.BooleanField(label="同时办理生育登记", required=False)
    medical_family = forms.BooleanField(label="医保家庭共济绑定", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        for name in REQUIRED.get(kind, ()):  # type: ignore[call-overload]
            if not data.get(name):
                self.add_error(name, f"请填写{self.fields[name].label}")
        return data

    def facts(self) -> dict[str, Any]:
        kind = self.cleaned_data["kind"]
        return {k: self.cleaned_data.get(k) for k in FACTS[kind]}

    def reporter(self) -> dict[str, str]:
        return {k: self.cleaned_data.get(k) or "" for k in REPORTER}


class StepForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("accept", "接收"),
            ("done", "办结"),
            ("return", "退回补充"),
            ("resupply", "补齐材料"),
            ("na", "不涉及"),
        ]
    )
    reply = forms.CharField(
        label="办理结果或理由", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reply_ref = forms.CharField(label="业务编号（回执）", max_length=64, required=False)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("apply", "确认变更"), ("dismiss", "不予变更")])
    reason = forms.CharField(label="理由", max_length=300, required=False)
