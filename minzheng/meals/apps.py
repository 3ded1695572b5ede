from __future__ import annotations

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.meals"
    label = "meals"
    verbose_name = "老年助餐"

    def ready(self) -> None:
        # Its entries in the navigation bar (the portal shows what apps register).
        from minzheng.core import navigation
        from minzheng.meals import (
            access,
            tasks,  # noqa: F401 - registers job handlers
        )

        navigation.register("meals", group="养老服务", group_order=40, order=30, entries=access.nav_entries)
        from minzheng.core.figures import register_app

        register_app(self.name)  # dashboard figures (figures.py)
