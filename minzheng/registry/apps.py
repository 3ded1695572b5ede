from __future__ import annotations

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.registry"
    label = "registry"

    def ready(self) -> None:
        from minzheng.core.figures import register_app
        from minzheng.registry import tasks  # noqa: F401 - registers job handlers

        register_app(self.name)  # dashboard figures (figures.py)
