"""Forms for the funeral officer (cremation, ashes, burial, cemeteries, plots) and the clean-up ledger."""

from __future__ import annotations

from django import forms

from minzheng.funeral.models import BurialType, Cemetery, CleanupSite, Cremation, FuneralHome, Plot

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # what <input type=date> reads
ID = {"inputmode": "text", "autocomplete": "off", "maxlength": 18}


class CremationForm(forms.Form):
    id_number = forms.CharField(label="逝者公民身份号码", max_length=18, widget=forms.TextInput(attrs=ID))
    died_on = forms.DateField(label="死亡日期", widget=DATE)
    cremated_on = forms.DateField(label="火化日期", widget=DATE)
    home = forms.ModelChoiceField(label="殡仪馆", queryset=FuneralHome.objects.filter(active=True), required=False)
    certificate_no = forms.CharField(label="火化证明编号", max_length=32, required=False)
    family_id_number = forms.CharField(
        label="丧事承办人身份号码（补助收款人，须在居民库中）",
        max_length=18,
        required=False,
        widget=forms.TextInput(attrs=ID),
    )
    family_name = forms.CharField(label="丧事承办人姓名（不在居民库时）", max_length=64, required=False)
    family_phone = forms.CharField(label="丧事承办人电话", max_length=20, required=False)


class AshesForm(forms.Form):
    state = forms.ChoiceField(
        label="骨灰去向",
        choices=[(Cremation.Ashes.STORED, "寄存殡仪馆"), (Cremation.Ashes.TAKEN, "家属领回待安葬")],
    )
    on = forms.DateField(label="日期", widget=DATE)
    place = forms.CharField(label="地点（寄存格位等）", max_length=200, required=False)
    handled_by = forms.CharField(label="经办人或领取人", max_length=64, required=False)


class BurialForm(forms.Form):
    id_number = forms.CharField(label="逝者公民身份号码", max_length=18, widget=forms.TextInput(attrs=ID))
    burial_type = forms.ChoiceField(label="安葬方式", choices=BurialType.choices)
    buried_on = forms.DateField(label="安葬日期", widget=DATE)
    plot = forms.ModelChoiceField(
        label="墓位（海葬不选）",
        required=False,
        queryset=Plot.objects.filter(state__in=(Plot.State.FREE, Plot.State.RESERVED)).select_related("cemetery"),
    )
    place = forms.CharField(label="安葬地点说明（海葬填写海域）", max_length=200, required=False)
    payee_id_number = forms.CharField(
        label="丧事承办人身份号码（补助、奖励收款人）", max_length=18, widget=forms.TextInput(attrs=ID)
    )


class CemeteryForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=Cemetery.Kind.choices)
    division_code = forms.CharField(label="所在区划代码", max_length=12)
    approval_no = forms.CharField(label="建设批准文号", max_length=64, required=False)
    operator = forms.CharField(label="经营或管理单位", max_length=100, required=False)


class PlotsForm(forms.Form):
    prefix = forms.CharField(label="区号（如 A 区 1 排 写 A1）", max_length=12)
    count = forms.IntegerField(label="墓位数", min_value=1, max_value=500)
    kind = forms.ChoiceField(label="适用安葬方式", choices=BurialType.choices)


class PlotStateForm(forms.Form):
    to = forms.ChoiceField(label="改为", choices=Plot.State.choices)
    note = forms.CharField(label="说明（预订人、迁出原因）", max_length=200, required=False)


class CampaignForm(forms.Form):
    name = forms.CharField(label="整治行动名称", max_length=100)
    division_code = forms.CharField(label="范围（县或乡镇区划代码）", max_length=12)
    starts_on = forms.DateField(label="开始日期", widget=DATE)
    ends_on = forms.DateField(label="结束日期", widget=DATE)


class SiteForm(forms.Form):
    campaign = forms.IntegerField(widget=forms.HiddenInput)
    division_code = forms.CharField(label="村（社区）区划代码", max_length=12)
    location = forms.CharField(label="位置描述", max_length=200)
    graves = forms.IntegerField(label="坟墓数（穴）", min_value=1)
    note = forms.CharField(label="说明", max_length=300, required=False)


class SiteDoneForm(forms.Form):
    action = forms.ChoiceField(label="整治方式", choices=CleanupSite.Action.choices[1:])
    done_on = forms.DateField(label="完成日期", widget=DATE)
    land_mu = forms.DecimalField(label="腾出土地（亩）", min_value=0, max_digits=7, decimal_places=2, initial=0)
    note = forms.CharField(label="说明", max_length=300, required=False)


class AssistantForm(forms.Form):
    division_code = forms.CharField(label="村（社区）区划代码", max_length=12)
    name = forms.CharField(label="姓名", max_length=64)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
