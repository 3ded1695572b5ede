from __future__ import annotations

from django import forms

from minzheng.accounts.models import Role


class LoginForm(forms.Form):
    username = forms.CharField(label="账号", max_length=150)
    password = forms.CharField(label="密码", widget=forms.PasswordInput)


class UserCreateForm(forms.Form):
    username = forms.CharField(label="账号", max_length=150)
    display_name = forms.CharField(label="姓名", max_length=64)
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    jurisdiction = forms.CharField(label="管辖范围（区划代码前缀）", max_length=12)
    password = forms.CharField(label="初始密码", widget=forms.PasswordInput)
