from __future__ import annotations

from django import forms

from minzheng.placenames.models import Category, NamingApplication, Sign


class PlaceForm(forms.Form):
    name = forms.CharField(label="标准名称", max_length=64)
    category = forms.ChoiceField(label="地名类别", choices=Category.choices)
    division_code = forms.CharField(label="所在区划代码（村或乡镇，9 或 12 位）", max_length=12)
    location_text = forms.CharField(label="位置描述", max_length=200, required=False)
    roman = forms.CharField(label="罗马字母拼写（留空按规则生成，请核对）", max_length=160, required=False)
    minority_name = forms.CharField(label="少数民族语书写", max_length=160, required=False)
    minority_language = forms.CharField(label="语种", max_length=16, required=False)
    lat = forms.FloatField(label="纬度", required=False, min_value=-90, max_value=90)
    lng = forms.FloatField(label="经度", required=False, min_value=-180, max_value=180)
    meaning = forms.CharField(label="含义", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    history = forms.CharField(label="历史沿革", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    approved_by = forms.CharField(label="批准机关", max_length=64, required=False)
    approved_on = forms.DateField(label="批准时间", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    approval_no = forms.CharField(label="批准文号", max_length=64, required=False)


class ApplicationForm(forms.Form):
    kind = forms.ChoiceField(label="申请类型", choices=NamingApplication.Kind.choices)
    place_code = forms.CharField(label="所涉地名代码（更名、使用确认必填）", max_length=24, required=False)
    proposed_name = forms.CharField(label="拟用名称（使用确认填标准地名）", max_length=64)
    category = forms.ChoiceField(label="地名类别", choices=Category.choices)
    division_code = forms.CharField(label="所在区划代码", max_length=12)
    applicant = forms.CharField(label="申请单位", max_length=100)
    location_text = forms.CharField(label="地理实体位置、规模、性质", max_length=200)
    reason = forms.CharField(label="方案及理由（使用确认写明用途）", widget=forms.Textarea(attrs={"rows": 3}))


class StepForm(forms.Form):
    to = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    expert_opinion = forms.CharField(label="专家论证意见", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    publicity_until = forms.DateField(
        label="公示截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    approval_no = forms.CharField(label="批准文号", max_length=64, required=False)


class SignForm(forms.Form):
    kind = forms.ChoiceField(
        label="标志类型", choices=[(k, k) for k in ("路牌", "街牌", "巷牌", "村牌", "楼牌", "桥牌", "门牌")]
    )
    location_text = forms.CharField(label="设置位置", max_length=200)
    installed_on = forms.DateField(label="设置日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))


class SignCheckForm(forms.Form):
    condition = forms.ChoiceField(label="状况", choices=Sign.Condition.choices, widget=forms.RadioSelect)
    note = forms.CharField(label="说明", max_length=200, required=False)


class AddressForm(forms.Form):
    household_no = forms.CharField(label="户编号", max_length=32)
    door_no = forms.CharField(label="门牌号", max_length=32)
