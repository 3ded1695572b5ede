"""Forms of the registry office: booking (结婚/离婚), closing a booking, adoption."""

from __future__ import annotations

from django import forms

from minzheng.marriage.models import Kind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ID = {"autocomplete": "off", "maxlength": 18}


class AppointmentForm(forms.Form):
    kind = forms.ChoiceField(label="登记类型", choices=Kind.choices, widget=forms.RadioSelect)
    on = forms.DateField(label="预约日期", widget=DATE)
    slot = forms.ChoiceField(
        label="时段", choices=[(s, s) for s in ("09:00-10:00", "10:00-11:00", "14:00-15:00", "15:00-16:00")]
    )
    name_a = forms.CharField(label="男方（一方）姓名", max_length=64)
    id_number_a = forms.CharField(label="男方（一方）身份号码", max_length=18, widget=forms.TextInput(attrs=ID))
    name_b = forms.CharField(label="女方（另一方）姓名", max_length=64)
    id_number_b = forms.CharField(label="女方（另一方）身份号码", max_length=18, widget=forms.TextInput(attrs=ID))
    phone = forms.CharField(label="联系电话", max_length=20, required=False)


class CloseForm(forms.Form):
    to = forms.ChoiceField(label="结果", choices=[("cancelled", "取消预约（离婚申请撤回）"), ("no_show", "未到场")])
    reason = forms.CharField(label="原因", max_length=200)


class AdoptionForm(forms.Form):
    child_name = forms.CharField(label="被收养人姓名", max_length=64)
    child_id_number = forms.CharField(label="被收养人身份号码", max_length=18, widget=forms.TextInput(attrs=ID))
    adopter_name = forms.CharField(label="收养人姓名", max_length=64)
    adopter_id_number = forms.CharField(label="收养人身份号码", max_length=18, widget=forms.TextInput(attrs=ID))
    spouse_name = forms.CharField(label="共同收养的配偶姓名", max_length=64, required=False)
    spouse_id_number = forms.CharField(
        label="配偶身份号码", max_length=18, required=False, widget=forms.TextInput(attrs=ID)
    )
    children_before = forms.IntegerField(label="收养人已有子女数", min_value=0, initial=0)
    origin = forms.CharField(label="被收养人来源（社会福利机构、生父母等）", max_length=100, required=False)
    registered_on = forms.DateField(label="登记日期", widget=DATE)
