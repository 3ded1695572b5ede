from __future__ import annotations

from django import forms

from minzheng.audit.models import AuditEvent


class AuditSearchForm(forms.Form):
    username = forms.CharField(label="操作人账号", required=False)
    action = forms.ChoiceField(label="操作", required=False, choices=[("", "全部"), *AuditEvent.Action.choices])
    object_type = forms.ChoiceField(
        label="对象类型",
        required=False,
        choices=[
            ("", "全部"),
            ("person", "居民"),
            ("household", "户"),
            ("import", "导入"),
            ("user", "账号"),
            ("person_search", "查询导出"),
            ("rejects", "错误行文件"),
            ("division", "区划"),
        ],
    )
    object_id = forms.CharField(label="对象编号", required=False)
    date_from = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
