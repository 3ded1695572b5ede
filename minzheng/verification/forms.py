"""一键核对（家庭经济状况核对）: forms."""

from __future__ import annotations

from django import forms

from minzheng.core.dates import DateInputError, parse_day


def _plausible_day(value: object, what: str = "数据时点") -> object:
    """A typed date outside 1900–2099 (0001-01-01) is a typing mistake: refused in Chinese, not a 500."""
    if value in (None, ""):
        return value
    try:
        return parse_day(value, what)
    except DateInputError as exc:
        raise forms.ValidationError(str(exc)) from None


# --- 一键核对 (v2_household) -------------------------------------------------------------------------
class HouseholdVerifyForm(forms.Form):
    authorisation_ref = forms.CharField(
        label="核对授权书编号",
        max_length=64,
        error_messages={
            "required": "请填写核对授权书编号：没有家庭成员签署的核对授权书，不能查询其部门数据",
            "max_length": "核对授权书编号不能超过 64 个字符",
        },
    )
    as_of = forms.DateField(
        label="数据时点",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),  # type=date reads ISO only
        error_messages={"required": "请填写数据时点", "invalid": "数据时点应为日期，如 2026-12-01"},
    )

    def clean_as_of(self):  # type: ignore[no-untyped-def]
        return _plausible_day(self.cleaned_data.get("as_of"))


# --- 部门数据上传 (v1_feeds) ---------------------------------------------------------------------------
def _feed_choices() -> list[tuple[str, str]]:
    from minzheng.verification.engine.catalogue import FEEDS

    return [(f.id, f"{f.department} {f.title}") for f in FEEDS.values()]


class FeedUploadForm(forms.Form):
    feed_id = forms.ChoiceField(label="数据项", choices=_feed_choices, error_messages={"required": "请选择数据项"})
    as_of = forms.DateField(
        label="数据时点",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),  # type=date reads ISO only
        help_text="留空则从文件名中的日期读取，如 车辆_2026-12-01.csv",
        error_messages={"invalid": "数据时点应为日期，如 2026-12-01"},
    )
    file = forms.FileField(label="文件（CSV 或 XLSX）", error_messages={"required": "请选择要上传的文件"})
    replace = forms.BooleanField(
        label="替换同一数据时点的已有数据（原数据保留，可恢复）",
        required=False,
        # The site's inputs are full-width touch targets; a checkbox sits beside its label instead.
        widget=forms.CheckboxInput(attrs={"style": "width: auto; min-height: 0; margin-right: .4rem"}),
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx", ".xls")):
            raise forms.ValidationError("只支持 CSV、XLSX、XLS 文件")
        return upload

    def clean_as_of(self):  # type: ignore[no-untyped-def]
        return _plausible_day(self.cleaned_data.get("as_of"))

    def clean(self):  # type: ignore[no-untyped-def]
        from minzheng.verification.engine.ingest import as_of_from_name

        data = super().clean()
        upload = data.get("file")
        if upload is not None and not data.get("as_of"):
            found = as_of_from_name(upload.name)
            if found is None:
                self.add_error("as_of", "请填写数据时点（文件名中没有日期）")
            else:
                try:
                    found = _plausible_day(found, "文件名中的数据时点")
                except forms.ValidationError as exc:
                    self.add_error("as_of", exc)
                    found = None
            data["as_of"] = found
        return data
