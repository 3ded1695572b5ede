from __future__ import annotations

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.workflow"
    label = "workflow"
    verbose_name = "流程"
