from __future__ import annotations

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.eldercare"
    label = "eldercare"
    verbose_name = "居家养老"

    def ready(self) -> None:
        from minzheng.eldercare import tasks  # noqa: F401 - registers job handlers
