from __future__ import annotations

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.rules"
    label = "rules"
    verbose_name = "政策目录与资格判定"

    def ready(self) -> None:
        # Its entries in the navigation bar (the portal shows what apps register).
        from minzheng.core import navigation
        from minzheng.rules import (
            access,
            tasks,  # noqa: F401 - registers job handlers
        )

        navigation.register("rules", group="救助政策", group_order=30, order=10, entries=access.nav_entries)
        # Its findings are 待办 (written by each run); whoever reads the worklist page may settle them.
        from minzheng.rules import items
        from minzheng.workitems.services import SETTLERS

        SETTLERS[items.SOURCE] = access.can_read_decisions
        from minzheng.core.figures import register_app

        register_app(self.name)  # dashboard figures (figures.py)
