"""一键通紧急呼叫: forms."""

from __future__ import annotations

from django import forms

from minzheng.eldercare.forms import DayField
from minzheng.emergency.models import LADDER, AlarmKind, Outcome


class RedCallForm(forms.Form):
    phone = forms.CharField(label="来电号码", max_length=30)
    kind = forms.ChoiceField(label="报警类型", choices=AlarmKind.choices, initial=AlarmKind.RED_CALL)


class NoteForm(forms.Form):
    note = forms.CharField(label="说明", max_length=300, required=False)


class EscalateForm(forms.Form):
    to = forms.ChoiceField(label="升级到", choices=[(r.value, r.label) for r in LADDER[1:]], required=False)
    note = forms.CharField(label="说明", max_length=300, required=False)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label="处置结果", choices=Outcome.choices)
    note = forms.CharField(label="处置说明", max_length=300, required=False)


class DeviceForm(forms.Form):
    id_number = forms.CharField(label="老人公民身份号码", max_length=18, min_length=18)
    serial = forms.CharField(label="终端编号", max_length=40)
    sim_phone = forms.CharField(label="终端号码", max_length=20, required=False)
    sensors = forms.MultipleChoiceField(
        label="附带传感器",
        choices=[(k.value, k.label) for k in (AlarmKind.NO_MOVEMENT, AlarmKind.SMOKE, AlarmKind.GAS)],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    installed_on = DayField(label="安装日期", widget=forms.DateInput(attrs={"type": "date"}))
