from __future__ import annotations

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.eldercare"
    label = "eldercare"
    verbose_name = "居家养老"

    def ready(self) -> None:
        # Its entries in the navigation bar (the portal shows what apps register).
        from minzheng.core import navigation
        from minzheng.eldercare import (
            access,
            tasks,  # noqa: F401 - registers job handlers
        )

        navigation.register("eldercare", group="养老服务", group_order=40, order=10, entries=access.nav_entries)
        # Open service-fraud flags are on the towns' 待办.
        from minzheng.eldercare import items
        from minzheng.workitems.services import ON_RESOLVE

        ON_RESOLVE[items.SOURCE] = items.on_resolve
        from minzheng.core.figures import register_app

        register_app(self.name)  # dashboard figures (figures.py)
