from __future__ import annotations

from typing import Any

from django import forms

from minzheng.accounts.models import Role


class LoginForm(forms.Form):
    username = forms.CharField(label="账号", max_length=150)
    password = forms.CharField(label="密码", widget=forms.PasswordInput)


class UserCreateForm(forms.Form):
    username = forms.CharField(label="账号", max_length=150)
    display_name = forms.CharField(label="姓名", max_length=64)
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    jurisdiction = forms.CharField(label="管辖范围（区划代码，如 330212100）", max_length=12)
    unit = forms.CharField(
        label="所属单位（协办部门填部门代码，社会组织填统一社会信用代码，养老机构填机构编号；其他角色留空）",
        max_length=64,
        required=False,
    )
    password = forms.CharField(label="初始密码", widget=forms.PasswordInput)


class UserEditForm(forms.Form):
    display_name = forms.CharField(label="姓名", max_length=64)
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    jurisdiction = forms.CharField(label="管辖范围（区划代码）", max_length=12)
    unit = forms.CharField(
        label="所属单位（协办部门填部门代码，社会组织填统一社会信用代码，养老机构填机构编号；其他角色留空）",
        max_length=64,
        required=False,
    )
    password = forms.CharField(label="重设密码（不改请留空）", widget=forms.PasswordInput, required=False)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="原密码", widget=forms.PasswordInput)
    new_password = forms.CharField(label="新密码", widget=forms.PasswordInput)
    new_password2 = forms.CharField(label="再次输入新密码", widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", "两次输入的新密码不一致")
        return data
