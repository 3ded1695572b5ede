"""Forms of the phone pages: a visit (GPS and the phone's time filled by eldercare/door.js), a photo."""

from __future__ import annotations

from django import forms

from minzheng.childvisits.models import ChildVisit


class VisitForm(forms.Form):
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    client_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)
    observed = forms.ChoiceField(label="儿童状况", choices=ChildVisit.Observed.choices, widget=forms.RadioSelect)
    findings = forms.CharField(
        label="走访情况（生活、学习、监护、安全）", widget=forms.Textarea(attrs={"rows": 4}), max_length=3000
    )
    parent_change = forms.CharField(
        label="父母情况变化（如 父亲已刑满释放回家、母亲失联；无则不填）", max_length=300, required=False
    )


class PhotoForm(forms.Form):
    photo = forms.FileField(label="走访照片")
