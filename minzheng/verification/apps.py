from __future__ import annotations

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.verification"
    label = "verification"
    verbose_name = "一键核对（家庭经济状况核对）"

    def ready(self) -> None:
        from minzheng.verification import tasks  # noqa: F401 - registers job handlers
