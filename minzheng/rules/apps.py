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
        # Its worklists on everyone's 待办, settled together with the worklist rows.
        from minzheng.rules import items
        from minzheng.workitems.services import ON_RESOLVE

        ON_RESOLVE[items.SOURCE] = items.on_resolve
        from minzheng.core.figures import register_app

        register_app(self.name)  # dashboard figures (figures.py)
