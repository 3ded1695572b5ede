"""居家养老: forms (Chinese labels and messages)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from minzheng.core.dates import DateInputError, parse_day
from minzheng.eldercare.assessment import standard
from minzheng.eldercare.models import Assessment, ElderStatus, OrderPhoto, Provider, Qualification, ServiceItem


class DayField(forms.DateField):
    """A typed date, range-checked by core.dates.parse_day (1900–2099) with its Chinese message."""

    def to_python(self, value: Any) -> dt.date | None:
        day = super().to_python(value)
        if day is None:
            return None
        try:
            return parse_day(day, str(self.label or "日期"))
        except DateInputError as exc:
            raise forms.ValidationError(str(exc)) from None


class AssessmentForm(forms.Form):
    """GB/T 42195-2022 附录B on a phone: one select per item, 0 … its maximum."""

    assessed_on = DayField(label="评估日期", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    assessor_name = forms.CharField(label="评估员", max_length=64)
    reason = forms.ChoiceField(label="评估原因", choices=Assessment.Reason.choices)
    coma = forms.BooleanField(label="昏迷（A.5.11）", required=False)
    diagnoses = forms.CharField(
        label="疾病诊断 ICD-10 编码", required=False, help_text="多个用逗号或空格分隔，如 F03 I10"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.item_fields: list[tuple[str, list[tuple[str, str]]]] = []
        for d, (domain, items) in enumerate(standard().domains.items()):
            names = []
            for i, (item, top) in enumerate(items.items()):
                key = f"item_{d}_{i}"
                # Each score with its Appendix B descriptor: the assessor picks a description, not a bare number.
                meaning = standard().descriptors.get(item, {})
                choices = [("", "请选择")] + [
                    (str(s), f"{s} 分：{meaning[s]}" if s in meaning else str(s)) for s in range(top, -1, -1)
                ]
                self.fields[key] = forms.TypedChoiceField(label=item, choices=choices, coerce=int)
                names.append((key, item))
            self.item_fields.append((domain, names))
        for kind in standard().risk_events:
            self.fields[f"risk_{kind}"] = forms.IntegerField(
                label=f"近30天{kind}（次）", min_value=0, max_value=99, initial=0, required=False
            )

    def domain_rows(self) -> list[tuple[str, list[Any]]]:
        return [(domain, [self[key] for key, _ in names]) for domain, names in self.item_fields]

    def risk_rows(self) -> list[Any]:
        return [self[f"risk_{kind}"] for kind in standard().risk_events]

    def clean_assessed_on(self) -> dt.date:
        day = self.cleaned_data["assessed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("评估日期不能晚于今天")
        return day

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        items = {item: data[key] for _, names in self.item_fields for key, item in names}
        risks = {kind: data.get(f"risk_{kind}") or 0 for kind in standard().risk_events}
        codes = [c for c in data["diagnoses"].replace("，", ",").replace(",", " ").split() if c]
        return {"items": items, "coma": data["coma"], "diagnoses": codes, "risk_events": risks}


class ItemChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: ServiceItem) -> str:  # type: ignore[override]
        return f"{obj.name}（{obj.standard_minutes} 分钟，{obj.price_fen // 100}.{obj.price_fen % 100:02d} 元）"


class OrderForm(forms.Form):
    items = ItemChoiceField(
        label="服务项目",
        queryset=ServiceItem.objects.filter(active=True).order_by("category", "code"),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请选择服务项目"},
    )
    day = DayField(label="服务日期", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    start = forms.TimeField(label="开始时间", widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}))
    flex = forms.TypedChoiceField(
        label="可上门时段",
        coerce=int,
        initial=120,
        required=False,
        empty_value=0,
        choices=[(0, "准时"), (60, "开始时间后 1 小时内"), (120, "开始时间后 2 小时内"), (240, "开始时间后 4 小时内")],
    )
    note = forms.CharField(label="备注", max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("day") and data.get("start"):
            when = timezone.make_aware(dt.datetime.combine(data["day"], data["start"]))
            if when < timezone.now() - dt.timedelta(hours=1):
                raise forms.ValidationError("服务时间不能早于现在")
            data["window_start"] = when
        return data

    def window_end(self) -> dt.datetime:
        """The visit may start up to `flex` minutes late and still finish its standard minutes."""
        items = self.cleaned_data["items"]
        minutes = sum(i.standard_minutes for i in items)
        return self.cleaned_data["window_start"] + dt.timedelta(minutes=self.cleaned_data.get("flex", 0) + minutes)


class GpsForm(forms.Form):
    """Check-in / check-out: GPS from the phone, the phone's own time (offline), a reason if far."""

    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    client_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(label="说明（定位超出范围或未取得定位时必填）", max_length=200, required=False)


class CheckOutForm(GpsForm):
    done = forms.TypedMultipleChoiceField(label="已完成项目", coerce=int, widget=forms.CheckboxSelectMultiple)
    confirmed_by = forms.CharField(label="确认人（老人或家属姓名）", max_length=64)

    def __init__(self, *args: Any, lines: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["done"].choices = [(ln.pk, f"{ln.item.name}（{ln.minutes} 分钟）") for ln in lines or []]
        self.fields["done"].error_messages["required"] = "请勾选已完成的服务项目"


class PhotoForm(forms.Form):
    kind = forms.ChoiceField(label="照片", choices=OrderPhoto.Kind.choices)
    photo = forms.FileField(label="选择照片")


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=200)


class FollowUpForm(forms.Form):
    result = forms.CharField(label="回访结果", max_length=200)
    satisfaction = forms.TypedChoiceField(
        label="满意度",
        coerce=int,
        choices=[(5, "5 非常满意"), (4, "4 满意"), (3, "3 一般"), (2, "2 不满意"), (1, "1 很不满意")],
    )


class DispatchForm(forms.Form):
    caregiver = forms.IntegerField(required=False, widget=forms.HiddenInput)


class StatementBuildForm(forms.Form):
    provider = forms.ModelChoiceField(label="服务商", queryset=Provider.objects.none())
    month = DayField(
        label="月份", widget=forms.DateInput(format="%Y-%m", attrs={"type": "month"}), input_formats=["%Y-%m"]
    )

    def __init__(self, *args: Any, providers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if providers is not None:
            self.fields["provider"].queryset = providers


class ResolveForm(forms.Form):
    resolution = forms.CharField(label="处理意见", max_length=200)


class ElderEnrolForm(forms.Form):
    """A 村 worker enrols a registered resident: status, caller phone, home location, one emergency contact."""

    id_number = forms.CharField(label="公民身份号码（须已在居民库中）", max_length=18)
    status = forms.ChoiceField(label="身份", choices=ElderStatus.choices)
    phone = forms.CharField(label="来电号码（弹屏用）", max_length=20, required=False)
    address = forms.CharField(label="上门地址", max_length=200, required=False)
    lat = forms.FloatField(label="纬度", required=False, min_value=-90, max_value=90)
    lng = forms.FloatField(label="经度", required=False, min_value=-180, max_value=180)
    contact_name = forms.CharField(label="紧急联系人", max_length=64, required=False)
    contact_relation = forms.CharField(label="关系", max_length=16, required=False)
    contact_phone = forms.CharField(label="联系人电话", max_length=20, required=False)

    def contacts(self) -> list[dict[str, str]]:
        d = self.cleaned_data
        if not d.get("contact_name") and not d.get("contact_phone"):
            return []
        return [{"name": d["contact_name"], "relation": d["contact_relation"], "phone": d["contact_phone"]}]


class ElderLocationForm(forms.Form):
    """Home coordinates typed by a worker (WGS-84 degrees, e.g. from a phone map at the door)."""

    lat = forms.FloatField(
        label="纬度", min_value=-90, max_value=90, error_messages={"required": "请填写纬度", "invalid": "应为数字"}
    )
    lng = forms.FloatField(
        label="经度", min_value=-180, max_value=180, error_messages={"required": "请填写经度", "invalid": "应为数字"}
    )


class CaregiverForm(forms.Form):
    """A provider registers a caregiver: qualifications, home base (where the day starts) and hours."""

    name = forms.CharField(label="姓名", max_length=64)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    qualifications = forms.MultipleChoiceField(
        label="资质", choices=Qualification.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    home_lat = forms.FloatField(label="出发点纬度", min_value=-90, max_value=90)
    home_lng = forms.FloatField(label="出发点经度", min_value=-180, max_value=180)
    work_start = forms.TimeField(
        label="上班时间", initial=dt.time(8, 0), widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"})
    )
    work_end = forms.TimeField(
        label="下班时间", initial=dt.time(17, 30), widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"})
    )
    work_days = forms.TypedMultipleChoiceField(
        label="工作日", coerce=int, initial=[0, 1, 2, 3, 4],
        choices=[(0, "周一"), (1, "周二"), (2, "周三"), (3, "周四"), (4, "周五"), (5, "周六"), (6, "周日")],
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("work_start") and data.get("work_end") and data["work_end"] <= data["work_start"]:
            raise forms.ValidationError("下班时间应晚于上班时间")
        return data
