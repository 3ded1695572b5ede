"""Forms of the payment pages. Money is typed in 元 and stored in fen; months are typed as YYYY-MM."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms

from minzheng.core.dates import DateInputError, parse_month
from minzheng.payments.models import Status
from minzheng.payments.selectors import programme_choices

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
REASON = forms.Textarea(attrs={"rows": 2})
# Used when the payroll part declares no banks as data (payments/data/banks).
FALLBACK_BANKS = [
    ("ICBC", "中国工商银行"),
    ("ABC", "中国农业银行"),
    ("BOC", "中国银行"),
    ("CCB", "中国建设银行"),
    ("PSBC", "中国邮政储蓄银行"),
    ("NBCB", "宁波银行"),
    ("RCB", "农村商业银行"),
]


def bank_choices() -> list[tuple[str, str]]:
    try:
        from minzheng.payments import bankfiles

        found = [(b.code, b.name) for b in bankfiles.banks().values()]  # type: ignore[attr-defined]
        return found or FALLBACK_BANKS
    except (ImportError, AttributeError):
        return FALLBACK_BANKS


def to_fen(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


class MonthField(forms.CharField):
    """A 所属期 typed as YYYY-MM (an <input type=month>), cleaned to the first of the month."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-12"})

    def clean(self, value: Any) -> dt.date | None:  # type: ignore[override]
        raw = super().clean(value)
        if not raw:
            return None
        try:
            return parse_month(raw)
        except DateInputError as exc:
            raise forms.ValidationError(str(exc)) from None


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", widget=REASON, max_length=300)


class SuspendForm(ReasonForm):
    month = MonthField(label="暂停起始所属期")


class EndForm(ReasonForm):
    month = MonthField(label="最后发放所属期")


class AmountForm(ReasonForm):
    amount_yuan = forms.DecimalField(
        label="新的月发放金额（元）", min_value=Decimal("0.01"), max_digits=10, decimal_places=2
    )
    month = MonthField(label="自所属期起")


class AccountForm(forms.Form):
    bank_code = forms.ChoiceField(label="开户银行", choices=bank_choices)
    account_no = forms.CharField(
        label="账号或社会保障卡号", max_length=40, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    account_name = forms.CharField(label="户名（不填为本人姓名）", max_length=64, required=False)
    reason = forms.CharField(label="登记或变更原因", widget=REASON, max_length=200)


class EntitlementFilter(forms.Form):
    programme = forms.ChoiceField(
        label="项目", required=False, choices=lambda: [("", "全部项目"), *programme_choices()]
    )
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *Status.choices])
    town = forms.ChoiceField(label="乡镇（街道）", required=False, choices=[("", "全部")])
    household = forms.CharField(label="户编号", required=False, max_length=40)

    def __init__(self, *args: Any, towns: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["town"].choices = [("", "全部"), *(towns or [])]


class RunForm(forms.Form):
    programme = forms.ChoiceField(label="发放项目", choices=programme_choices)
    month = MonthField(label="所属期")
    region = forms.ChoiceField(label="发放范围", choices=[])

    def __init__(self, *args: Any, regions: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = regions or []


class ReturnFileForm(forms.Form):
    file = forms.FileField(label="银行回盘文件")


class RepaymentForm(forms.Form):
    amount_yuan = forms.DecimalField(label="收回金额（元）", min_value=Decimal("0.01"), max_digits=10, decimal_places=2)
    received_on = forms.DateField(label="收款日期", widget=DATE_INPUT)


class InstalmentForm(forms.Form):
    instalments = forms.IntegerField(label="分期数（1 为一次性退还）", min_value=1, max_value=60)
    reason = forms.CharField(label="原因", widget=REASON, max_length=300, required=False)


class WriteOffForm(forms.Form):
    reason = forms.CharField(label="核销理由", widget=REASON, max_length=300)
