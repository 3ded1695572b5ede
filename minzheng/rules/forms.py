"""政策目录与资格判定: forms."""

from __future__ import annotations

from django import forms

from minzheng.rules.paramfile import KEY_RE, REGION_RE


class DayField(forms.DateField):
    """A typed date through `core.dates.parse_day`: 1900–2099, a Chinese message naming the field."""

    widget = forms.DateInput(attrs={"type": "date"})

    def to_python(self, value: object) -> object:
        from minzheng.core.dates import DateInputError, parse_day

        if value in self.empty_values:
            return None
        try:
            return parse_day(value, str(self.label or "日期"))
        except DateInputError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None


KEY_ERRORS = {"invalid_choice": "参数“%(value)s”不在参数列表中，请从列表中选择", "required": "请选择参数"}


class KeyChoiceMixin:
    """The parameter key is picked from a list with Chinese labels, never typed by hand."""

    def _pick_key(self) -> None:
        from minzheng.rules.selectors import key_choices

        self.fields["key"].choices = [("", "请选择参数"), *key_choices()]  # type: ignore[attr-defined]


class ParamProposeForm(KeyChoiceMixin, forms.Form):
    key = forms.ChoiceField(label="参数", choices=(), error_messages=KEY_ERRORS)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._pick_key()

    region_code = forms.CharField(label="区划代码", max_length=12, required=False, help_text="空为全国")
    effective_from = DayField(label="起始日期")
    value = forms.CharField(label="取值", max_length=40)
    unit = forms.CharField(label="单位", max_length=32, required=False)
    reference = forms.CharField(label="依据（文件、文号）", max_length=300)
    reason = forms.CharField(label="调整理由", max_length=300, required=False)

    def clean_key(self) -> str:
        key = self.cleaned_data["key"].strip()
        if not KEY_RE.match(key):
            raise forms.ValidationError("参数键应为小写英文加点，如 dibao.standard")
        return key

    def clean_region_code(self) -> str:
        code = self.cleaned_data["region_code"].strip()
        if not REGION_RE.match(code):
            raise forms.ValidationError("区划代码应为 2、4、6、9 或 12 位数字，空为全国")
        return code


class ParamDecideForm(forms.Form):
    decision = forms.ChoiceField(label="审核", choices=[("approve", "通过"), ("reject", "驳回")])
    note = forms.CharField(label="审核意见", max_length=300, required=False)


class BatchForm(forms.Form):
    as_of = DayField(label="判定日期")
    region_code = forms.CharField(label="范围（区划代码）", max_length=12, required=False, help_text="空为本人辖区")


class WhatIfForm(KeyChoiceMixin, forms.Form):
    key = forms.ChoiceField(label="参数", choices=(), initial="dibao.standard", error_messages=KEY_ERRORS)
    region_code = forms.CharField(label="区划代码", max_length=12, help_text="调整适用的区划（含下级）")
    from_date = DayField(label="调整起始日期")
    scale = forms.DecimalField(label="倍数", max_digits=8, decimal_places=4, initial="1.05", min_value=0)
    as_of = DayField(label="测算日期")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._pick_key()

    def clean_region_code(self) -> str:
        code = self.cleaned_data["region_code"].strip()
        if not REGION_RE.match(code) or not code:
            raise forms.ValidationError("区划代码应为 2、4、6、9 或 12 位数字")
        return code
