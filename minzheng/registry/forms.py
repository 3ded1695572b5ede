from __future__ import annotations

from django import forms

from minzheng.registry import vocab
from minzheng.registry.models import Relation


class UnmaskForm(forms.Form):
    reason = forms.CharField(
        label="查看事由",
        min_length=2,
        max_length=200,
        error_messages={"required": "请填写查看完整号码的事由", "min_length": "请填写查看完整号码的事由"},
    )


class PhoneField(forms.CharField):
    """One rule for every form that takes a phone (the import's): 11-digit mobile or landline with area code."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "tel"}))
        super().__init__(required=False, max_length=20, **kwargs)  # type: ignore[arg-type]

    def clean(self, value: object) -> str:
        from minzheng.registry.importing.rows import RowError, phone_parse

        try:
            return phone_parse(super().clean(value))
        except RowError as exc:
            raise forms.ValidationError(str(exc).removeprefix("联系电话：")) from exc


class PersonEditForm(forms.Form):
    phone = PhoneField(
        label="联系电话",
        widget=forms.TextInput(attrs={"placeholder": "新号码；留空则不修改", "inputmode": "tel"}),
    )
    tags_text = forms.CharField(
        label="人员标签", required=False, max_length=200, help_text="用分号分隔，如 残疾:肢体二级;失能:中度;独居老人"
    )

    def clean_tags_text(self) -> str:
        try:
            text = vocab.tags_text(vocab.tags_parse(self.cleaned_data["tags_text"]))
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        _refuse_benefit_tags(self.initial.get("tags_text") or "", text)  # initial: the person's tags now
        return text


def _refuse_benefit_tags(old: str, new: str) -> None:
    """低保、特困 … follow the person's entitlements (payments.tags); a page cannot add or remove them."""
    from minzheng.payments.tags import benefit_tag_refusal

    refusal = benefit_tag_refusal(old, new)
    if refusal:
        raise forms.ValidationError(refusal)


class ImportForm(forms.Form):
    file = forms.FileField(label="居民信息文件（CSV 或 XLSX）")

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx", ".xls")):
            raise forms.ValidationError("只支持 CSV、XLSX、XLS 文件")
        return upload


RELATION_CHOICES = [(r.label, r.label) for r in Relation if r != Relation.HEAD]


class PersonAddForm(forms.Form):
    """A new member of an existing 户 (the 户主 comes with the 户)."""

    name = forms.CharField(label="姓名", max_length=64)
    id_number = forms.CharField(label="公民身份号码", max_length=24)
    relation = forms.ChoiceField(label="与户主关系", choices=RELATION_CHOICES)
    phone = PhoneField(label="联系电话")
    tags = forms.CharField(label="人员标签", required=False, max_length=200)

    def clean_tags(self) -> str:
        _refuse_benefit_tags("", self.cleaned_data["tags"])
        return str(self.cleaned_data["tags"])


class HouseholdCreateForm(forms.Form):
    household_no = forms.CharField(label="户编号", max_length=40)
    division = forms.ChoiceField(label="村（社区）")
    grid = forms.CharField(label="网格", required=False, max_length=40)
    building = forms.CharField(label="楼栋", required=False, max_length=40)
    unit = forms.CharField(label="单元", required=False, max_length=20)
    room = forms.CharField(label="房间", required=False, max_length=20)
    head_name = forms.CharField(label="户主姓名", max_length=64)
    head_id_number = forms.CharField(label="户主公民身份号码", max_length=24)
    head_phone = PhoneField(label="户主联系电话")
    head_tags = forms.CharField(label="户主人员标签", required=False, max_length=200)

    def __init__(self, *args: object, villages: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["division"].choices = villages

    def clean_head_tags(self) -> str:
        _refuse_benefit_tags("", self.cleaned_data["head_tags"])
        return str(self.cleaned_data["head_tags"])
