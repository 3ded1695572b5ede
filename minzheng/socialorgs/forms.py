"""Forms of the 社会组织 pages: labels and messages in Chinese naming the field; money typed in 元, kept in fen."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from minzheng.socialorgs.models import AnnualReport, Finding, Kind

DATE = forms.DateInput(attrs={"type": "date"})
YES_NO = [("", "请选择"), ("yes", "是"), ("no", "否")]


def fen(value: Decimal | None) -> int | None:
    """元 (two decimals at most, by the field) → integer fen."""
    return None if value is None else int(value * 100)


def yuan_field(label: str, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(label=f"{label}（元）", required=required, min_value=0, max_digits=14, decimal_places=2)


class OrgFilter(forms.Form):
    q = forms.CharField(label="名称或信用代码", required=False, max_length=100)
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部"), *Kind.choices])
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部"), ("applying", "申请登记中"), ("registered", "已登记"), ("abnormal", "活动异常"),
                 ("deregistered", "已注销"), ("revoked", "已撤销登记"), ("refused", "未准予登记")],
    )  # fmt: skip
    grade = forms.ChoiceField(
        label="评估等级", required=False, choices=[("", "全部"), *((g, g) for g in ("5A", "4A", "3A", "2A", "1A"))]
    )


class ApplicationForm(forms.Form):
    kind = forms.ChoiceField(label="组织类型", choices=Kind.choices)
    name = forms.CharField(label="名称", max_length=100)
    supervisor = forms.CharField(label="业务主管单位（直接登记的不填）", required=False, max_length=100)
    legal_rep = forms.CharField(label="法定代表人", max_length=64)
    legal_rep_phone = forms.CharField(label="法定代表人联系电话", required=False, max_length=20)
    capital = yuan_field("注册资金")
    address = forms.CharField(label="住所", max_length=200)
    division_code = forms.CharField(label="住所所在村（社区）区划代码", max_length=12, min_length=12)
    scope = forms.CharField(label="业务范围", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    received_on = forms.DateField(label="收件日期", widget=DATE, initial=timezone.localdate)


class ChangeForm(forms.Form):
    name = forms.CharField(label="新名称", required=False, max_length=100)
    legal_rep = forms.CharField(label="新法定代表人", required=False, max_length=64)
    legal_rep_phone = forms.CharField(label="新联系电话", required=False, max_length=20)
    address = forms.CharField(label="新住所", required=False, max_length=200)
    division_code = forms.CharField(label="新住所所在村（社区）区划代码", required=False, max_length=12)
    supervisor = forms.CharField(label="新业务主管单位", required=False, max_length=100)
    capital = yuan_field("新注册资金", required=False)
    scope = forms.CharField(label="新业务范围", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def changes(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "") and k != "capital"}
        if self.cleaned_data.get("capital") is not None:
            data["capital_fen"] = fen(self.cleaned_data["capital"])
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由或意见", widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


class DecideForm(forms.Form):
    credit_code = forms.CharField(label="赋予的统一社会信用代码（成立登记准予时填写）", required=False, max_length=18)
    reason = forms.CharField(label="决定意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReportForm(forms.Form):
    staff = forms.IntegerField(label="专职工作人员（人）", min_value=0, required=False)
    members = forms.IntegerField(label="会员或志愿者（人）", min_value=0, required=False)
    activities = forms.IntegerField(label="全年开展活动（次）", min_value=0, required=False)
    beneficiaries = forms.IntegerField(label="服务对象（人次）", min_value=0, required=False)
    villages_served = forms.IntegerField(label="服务覆盖村（社区）数", min_value=0, required=False)
    income = yuan_field("本年收入", required=False)
    expense = yuan_field("本年支出", required=False)
    net_assets = forms.DecimalField(label="年末净资产（元）", required=False, max_digits=14, decimal_places=2)
    party_org = forms.ChoiceField(label="是否建立党组织", choices=YES_NO, required=False)
    disclosed = forms.ChoiceField(label="是否按章程公开年度信息", choices=YES_NO, required=False)
    summary = forms.CharField(label="业务活动情况", required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def values(self) -> dict[str, Any]:
        d = self.cleaned_data
        out = {k: d.get(k) for k in ("staff", "members", "activities", "beneficiaries", "villages_served")}
        out.update({f"{k}_fen": fen(d.get(k)) for k in ("income", "expense", "net_assets")})
        out.update({k: {"yes": True, "no": False}.get(d.get(k) or "") for k in ("party_org", "disclosed")})
        out["summary"] = (d.get("summary") or "").strip()
        return out

    @classmethod
    def initial_from(cls, report: AnnualReport | None) -> dict[str, Any]:
        if report is None:
            return {}
        out: dict[str, Any] = {
            k: getattr(report, k)
            for k in ("staff", "members", "activities", "beneficiaries", "villages_served", "summary")
        }
        for k in ("income", "expense", "net_assets"):
            value = getattr(report, f"{k}_fen")
            out[k] = None if value is None else Decimal(value) / 100
        for k in ("party_org", "disclosed"):
            out[k] = {True: "yes", False: "no"}.get(getattr(report, k), "")
        return out


class AcceptForm(forms.Form):
    result = forms.ChoiceField(label="审查结论", choices=AnnualReport.Result.choices)
    opinion = forms.CharField(label="审查意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class BatchForm(forms.Form):
    name = forms.CharField(label="批次名称", max_length=100)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    ratio = forms.DecimalField(
        label="抽查比例（%，不填按参数）", required=False, min_value=Decimal("0.1"), max_value=100, decimal_places=1
    )


class InspectionForm(forms.Form):
    method = forms.ChoiceField(label="检查方式", choices=[("paper", "书面检查"), ("site", "实地检查")])
    inspected_on = forms.DateField(label="检查日期", widget=DATE)
    result = forms.ChoiceField(
        label="检查结果",
        choices=[("pass", "未发现问题"), ("rectify", "发现问题，责令整改"), ("refer", "发现违法线索，移交查处")],
    )
    note = forms.CharField(label="检查记录", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    area = forms.ChoiceField(label="问题类别", required=False, choices=[("", "（无问题）"), *Finding.AREAS.items()])
    finding = forms.CharField(label="问题描述", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RatingForm(forms.Form):
    score = forms.IntegerField(label="评估得分（满分 1000）", min_value=0, max_value=1000)
    rated_on = forms.DateField(label="评定日期", widget=DATE)
    note = forms.CharField(label="评估机构、文号", required=False, max_length=300)


class LeadForm(forms.Form):
    name = forms.CharField(label="涉嫌非法社会组织名称", max_length=100)
    source = forms.CharField(label="线索来源（举报、巡查、部门移送）", max_length=100)
    description = forms.CharField(label="线索内容", widget=forms.Textarea(attrs={"rows": 3}))
    division_code = forms.CharField(label="活动地村（社区）区划代码", max_length=12, min_length=12)
    reported_on = forms.DateField(label="收到日期", widget=DATE)


class RoundForm(forms.Form):
    name = forms.CharField(label="创投活动名称", max_length=100)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    budget = yuan_field("资助总额")
    max_award = yuan_field("单个项目资助上限")
    call_until = forms.DateField(label="申报截止日期", widget=DATE)
    theme = forms.CharField(label="征集方向", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ApplyForm(forms.Form):
    title = forms.CharField(label="项目名称", max_length=100)
    summary = forms.CharField(label="项目内容与预期成效", widget=forms.Textarea(attrs={"rows": 4}))
    requested = yuan_field("申请资助金额")
    division_code = forms.CharField(label="项目实施村（社区）区划代码", max_length=12, min_length=12)


class ScoreForm(forms.Form):
    expert = forms.CharField(label="评审专家（不填为本人）", required=False, max_length=64)
    score = forms.IntegerField(label="评分（百分制）", min_value=0, max_value=100)
    comment = forms.CharField(label="评审意见", required=False, max_length=300)


class PayForm(forms.Form):
    voucher = forms.CharField(label="拨付凭证号", max_length=64)
    paid_on = forms.DateField(label="拨付日期", widget=DATE)


class EvaluationForm(forms.Form):
    stage = forms.ChoiceField(label="评估阶段", choices=[("midterm", "中期评估"), ("final", "结项评估")])
    score = forms.IntegerField(label="评估得分（百分制）", min_value=0, max_value=100)
    on = forms.DateField(label="评估日期", widget=DATE)
    note = forms.CharField(label="评估意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


def errors_text(form: forms.Form) -> str:
    return "；".join(
        f"{form.fields[k].label if k in form.fields else ''}：{e}".lstrip("：")
        for k, errs in form.errors.items()
        for e in errs
    )
