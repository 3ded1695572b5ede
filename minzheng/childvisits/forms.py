"""Forms of the phone pages: a visit (GPS and the phone's time filled by eldercare/door.js), a photo."""

from __future__ import annotations

from django import forms

from minzheng.children.models import ParentSituation, Situation
from minzheng.childvisits.models import ChildVisit


class VisitForm(forms.Form):
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    client_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)
    observed = forms.ChoiceField(label="儿童状况", choices=ChildVisit.Observed.choices, widget=forms.RadioSelect)
    findings = forms.CharField(
        label="走访情况（生活、学习、监护、安全）", widget=forms.Textarea(attrs={"rows": 4}), max_length=3000
    )
    # A parent's situation seen at the visit goes to the child file (children.services.situation_record).
    parent = forms.ChoiceField(
        label="父母情况变化（无则不选）", choices=[("", "无变化"), *ParentSituation.Parent.choices], required=False
    )
    parent_situation = forms.ChoiceField(label="现在的情形", choices=[("", "—"), *Situation.choices], required=False)
    parent_change = forms.CharField(label="变化说明（如 已刑满释放回家）", max_length=300, required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if bool(data.get("parent")) != bool(data.get("parent_situation")):
            raise forms.ValidationError("父母情况变化：请同时选择父/母和现在的情形")
        return data


class PhotoForm(forms.Form):
    photo = forms.FileField(label="走访照片")
