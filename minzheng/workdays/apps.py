from __future__ import annotations

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.workdays"
    label = "workdays"
    verbose_name = "工作日"
