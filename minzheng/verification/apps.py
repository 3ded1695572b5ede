from __future__ import annotations

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.verification"
    label = "verification"
    verbose_name = "一键核对（家庭经济状况核对）"

    def ready(self) -> None:
        # Its entries in the navigation bar (the portal shows what apps register).
        from minzheng.core import navigation
        from minzheng.verification import (
            access,
            tasks,  # noqa: F401 - registers job handlers
        )

        navigation.register("verification", group="一键核对", group_order=20, order=10, entries=access.nav_entries)
