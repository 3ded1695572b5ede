from __future__ import annotations

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.rules"
    label = "rules"
    verbose_name = "政策目录与资格判定"

    def ready(self) -> None:
        from minzheng.rules import tasks  # noqa: F401 - registers job handlers
