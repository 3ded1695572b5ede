from __future__ import annotations

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.meals"
    label = "meals"
    verbose_name = "老年助餐"

    def ready(self) -> None:
        from minzheng.meals import tasks  # noqa: F401 - registers job handlers
