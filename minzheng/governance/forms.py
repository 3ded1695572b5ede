"""Forms of the 基层治理 pages; labels and messages in Chinese. Division choices come from the user's
jurisdiction (a village worker sees their village; a town officer the town and its villages)."""

from __future__ import annotations

from typing import Any

from django import forms

from minzheng.core.jurisdiction import prefix_q
from minzheng.divisions.models import Division
from minzheng.governance.models import (
    Committee,
    MediationCase,
    Mediator,
    NoProofItem,
    Participant,
    PublicItem,
    Question,
    Topic,
)

DATE = forms.DateInput(attrs={"type": "date"})
TEXT = forms.Textarea(attrs={"rows": 3})


def division_choices(user: Any, *, towns: bool = True) -> list[tuple[str, str]]:
    levels = (4, 5) if towns else (5,)
    rows = Division.objects.filter(prefix_q("code", user.jurisdiction), level__in=levels).order_by("code")
    return [(d.code, d.name) for d in rows]


class DivisionForm(forms.Form):
    division_code = forms.ChoiceField(label="村（社区）")

    towns = False

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["division_code"].choices = division_choices(user, towns=self.towns)


class TopicForm(DivisionForm):
    towns = True
    title = forms.CharField(label="议题", max_length=120)
    description = forms.CharField(label="议题内容", widget=TEXT)
    kind = forms.ChoiceField(label="议题类型", choices=Topic.Kind.choices)
    channel = forms.ChoiceField(label="提出渠道", choices=Topic.Channel.choices)
    proposer = forms.CharField(label="提出人或提出单位", max_length=64)
    proposed_on = forms.DateField(label="提出日期", widget=DATE)


class ReviewForm(forms.Form):
    accept = forms.ChoiceField(label="审查结论", choices=[("yes", "审查通过"), ("no", "不予立项")])
    opinion = forms.CharField(label="审查意见", widget=TEXT)


class OpinionForm(forms.Form):
    source = forms.CharField(label="意见来源", max_length=64, help_text="入户走访、座谈会、网格员、线上征集")
    text = forms.CharField(label="意见内容", widget=TEXT)


class GatherForm(forms.Form):
    consensus = forms.CharField(label="汇聚共识摘要", widget=TEXT)


KINDS = {label: code for code, label in Participant.Kind.choices}
VOTES = {label: code for code, label in Participant.Vote.choices}


class MeetForm(forms.Form):
    on = forms.DateField(label="会议日期", widget=DATE)
    place = forms.CharField(label="会议地点", max_length=100)
    roll = forms.CharField(
        label="参会人员及表决（每行：姓名 身份 表决）",
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text="身份：" + "、".join(KINDS) + "；表决：赞成、反对、弃权或不表决",
    )
    minutes = forms.CharField(label="会议纪要", widget=TEXT)
    result = forms.CharField(label="议定事项", widget=TEXT, required=False)
    responsible = forms.CharField(label="落实责任人", max_length=64, required=False)
    implement_due = forms.DateField(label="落实期限", widget=DATE, required=False)

    def clean_roll(self) -> list[tuple[str, str, str]]:
        rows = []
        for n, line in enumerate(self.cleaned_data["roll"].splitlines(), start=1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) not in (2, 3) or parts[1] not in KINDS or (len(parts) == 3 and parts[2] not in VOTES):
                raise forms.ValidationError(f"参会人员第 {n} 行“{line.strip()}”：应为“姓名 身份 表决”")
            rows.append((parts[0], KINDS[parts[1]], VOTES[parts[2]] if len(parts) == 3 else ""))
        return rows


class ProgressForm(forms.Form):
    progress = forms.CharField(label="落实情况", widget=TEXT)


class PublishForm(forms.Form):
    place = forms.CharField(label="公示地点", max_length=100, initial="村务公开栏")


class ArchiveForm(forms.Form):
    archive_ref = forms.CharField(label="归档号", max_length=60)
    objections = forms.CharField(label="公示期间异议及处理", widget=TEXT, required=False)


class MeetingForm(DivisionForm):
    held_on = forms.DateField(label="召开日期", widget=DATE)
    place = forms.CharField(label="地点", max_length=100)
    reporter = forms.CharField(label="述职人", max_length=64, initial="村委会主任")
    attendance = forms.IntegerField(label="参会村（居）民人数", min_value=1)
    officials = forms.CharField(label="到会县乡专员", max_length=200, required=False)
    report = forms.CharField(label="一述：报告内容（三务三资）", widget=TEXT)
    evaluation = forms.CharField(label="三评：评价", widget=TEXT, required=False)


class QuestionForm(forms.Form):
    category = forms.ChoiceField(label="类别", choices=Question.Category.choices)
    text = forms.CharField(label="质询内容", widget=TEXT)
    asker_name = forms.CharField(label="提问人（不公开）", max_length=64, required=False)
    asker_phone = forms.CharField(label="提问人电话（不公开）", max_length=20, required=False)
    public = forms.BooleanField(label="在公开栏公布", required=False, initial=True)


class AssignForm(forms.Form):
    assignee_kind = forms.ChoiceField(label="承办类型", choices=Question.AssigneeKind.choices)
    assignee = forms.CharField(label="承办部门或责任人", max_length=100)
    days = forms.IntegerField(label="办理时限（工作日）", min_value=1, max_value=60, initial=10)
    reason = forms.CharField(label="重新交办理由（提问人不满意时）", required=False, max_length=300)


class AnswerForm(forms.Form):
    answer = forms.CharField(label="答复内容", widget=TEXT)


class ConfirmForm(forms.Form):
    way = forms.ChoiceField(
        label="提问人确认方式", choices=[("face", "当面确认"), ("phone", "电话回访确认"), ("signature", "签字确认")]
    )
    comment = forms.CharField(label="提问人评价", max_length=150, required=False, initial="满意")


class PointsForm(forms.Form):
    rule = forms.ModelChoiceField(label="积分规则", queryset=None)  # type: ignore[arg-type]
    on = forms.DateField(label="发生日期", widget=DATE)
    evidence = forms.CharField(label="事实与佐证", max_length=200)

    def __init__(self, *args: Any, rules: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = rules  # type: ignore[attr-defined]


class RuleForm(DivisionForm):
    code = forms.CharField(
        label="条目编号", max_length=20, help_text="已有条目填原编号即为修订（新版本自生效日期起适用）"
    )
    text = forms.CharField(label="条目内容", max_length=200)
    points = forms.IntegerField(label="分值（扣分填负数）")
    cap_per_year = forms.IntegerField(label="每户每年上限（分，空为不限）", min_value=1, required=False)
    may_go_negative = forms.BooleanField(label="扣分可使余额为负", required=False)
    effective_from = forms.DateField(label="生效日期", widget=DATE)
    source = forms.CharField(label="依据（村规民约条款）", max_length=200, required=False)


class RedeemForm(forms.Form):
    item = forms.ModelChoiceField(label="兑换物品", queryset=None)  # type: ignore[arg-type]
    quantity = forms.IntegerField(label="数量", min_value=1, initial=1)

    def __init__(self, *args: Any, items: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items  # type: ignore[attr-defined]


class ItemForm(DivisionForm):
    name = forms.CharField(label="物品", max_length=64)
    points = forms.IntegerField(label="兑换积分", min_value=1)
    stock = forms.IntegerField(label="库存", min_value=0)
    donor = forms.CharField(label="捐赠方或采购来源", max_length=100, required=False)


class FundForm(DivisionForm):
    kind = forms.ChoiceField(label="收入类型", choices=[("allocation", "福利资金转入"), ("donation", "社会捐赠")])
    amount_yuan = forms.DecimalField(label="金额（元）", min_value=0.01, decimal_places=2)
    counterpart = forms.CharField(label="来源", max_length=100)


class PayoutForm(DivisionForm):
    amount_yuan = forms.DecimalField(label="发放总额（元）", min_value=0.01, decimal_places=2)
    since = forms.DateField(label="计发自（此日之后所得积分）", widget=DATE)


class CommitteeForm(DivisionForm):
    towns = True
    name = forms.CharField(label="名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=Committee.Kind.choices)
    org_credit_code = forms.CharField(label="设立组织统一社会信用代码", max_length=18, required=False)
    established_on = forms.DateField(label="成立日期", widget=DATE)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)


class MediatorForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=64)
    title = forms.ChoiceField(label="职务", choices=Mediator.Title.choices)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)


class CaseForm(DivisionForm):
    towns = True
    committee = forms.ModelChoiceField(label="调解委员会", queryset=None)  # type: ignore[arg-type]
    type = forms.ChoiceField(label="纠纷类型", choices=MediationCase.Type.choices)
    facts = forms.CharField(label="纠纷事实与争议", widget=TEXT)
    received_on = forms.DateField(label="受理日期", widget=DATE)
    applicant = forms.CharField(label="申请人", max_length=100)
    applicant_id = forms.CharField(label="申请人身份号码或信用代码", max_length=18, required=False)
    respondent = forms.CharField(label="被申请人", max_length=100)
    respondent_id = forms.CharField(label="被申请人身份号码或信用代码", max_length=18, required=False)

    def __init__(self, *args: Any, committees: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = committees  # type: ignore[attr-defined]


class AgreeForm(forms.Form):
    agreement = forms.CharField(label="协议内容（履行方式）", widget=TEXT)
    perform_by = forms.DateField(label="履行期限", widget=DATE)
    judicial_confirmation = forms.BooleanField(label="当事人申请司法确认", required=False)


class FailForm(forms.Form):
    reason = forms.CharField(label="调解不成（或终止）的理由", widget=TEXT)


class FollowUpForm(forms.Form):
    on = forms.DateField(label="回访日期", widget=DATE)
    fulfilled = forms.BooleanField(label="协议已履行", required=False)
    note = forms.CharField(label="回访情况", max_length=300)


class PublicItemForm(DivisionForm):
    category = forms.ChoiceField(label="类别", choices=PublicItem.Category.choices)
    title = forms.CharField(label="标题", max_length=120)
    body = forms.CharField(label="公开内容", widget=TEXT)
    amount_yuan = forms.DecimalField(label="涉及金额（元）", min_value=0, decimal_places=2, required=False)
    until = forms.DateField(label="公开截止", widget=DATE, required=False)


class NoProofForm(DivisionForm):
    towns = True
    certificate = forms.CharField(label="不再出具的证明", max_length=100)
    replacement = forms.ChoiceField(label="替代方式", choices=NoProofItem.Replacement.choices)
    replaced_by = forms.CharField(label="替代说明", max_length=200, required=False)
    basis = forms.CharField(label="依据", max_length=200, required=False)
    since = forms.DateField(label="停止出具日期", widget=DATE)


def rating_form(user: Any, data: Any = None) -> forms.Form:
    """The rating form's score fields come from data/happy_community.yaml."""
    from minzheng.governance.services_community import criteria

    class RatingForm(DivisionForm):
        year = forms.IntegerField(label="评定年度", min_value=2000, max_value=2100)
        note = forms.CharField(label="评定意见", max_length=300, required=False)

    form = RatingForm(data, user=user)
    for c in criteria()["criteria"]:
        form.fields[f"score_{c['code']}"] = forms.IntegerField(
            label=f"{c['label']}（满分 {c['max']}）", min_value=0, max_value=int(c["max"])
        )
    return form


def fen(yuan: Any) -> int | None:
    """元 typed into a form → integer fen (Decimal, so 0.1 + 0.2 is exact)."""
    return None if yuan is None else int((yuan * 100).to_integral_value())
