from __future__ import annotations

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.scheduler"
    label = "scheduler"
    verbose_name = "定时任务"
