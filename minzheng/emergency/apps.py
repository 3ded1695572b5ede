from __future__ import annotations

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.emergency"
    label = "emergency"
    verbose_name = "一键通紧急呼叫"

    def ready(self) -> None:
        from minzheng.emergency import tasks  # noqa: F401 - registers job handlers
