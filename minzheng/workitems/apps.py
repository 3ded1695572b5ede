from __future__ import annotations

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.workitems"
    label = "workitems"
    verbose_name = "待办"
