from __future__ import annotations

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.verification"
    label = "verification"
    verbose_name = "一键核对（家庭经济状况核对）"

    def ready(self) -> None:
        from minzheng.verification import items, tasks  # noqa: F401 - registers job handlers, the 待办 producer
        from minzheng.workitems.services import ON_RESOLVE

        ON_RESOLVE[items.SOURCE] = items.on_resolve
        # Its entries in the navigation bar (the portal shows what apps register).
        from minzheng.core import navigation
        from minzheng.verification import access

        navigation.register("verification", group="一键核对", group_order=20, order=10, entries=access.nav_entries)
        from minzheng.core.figures import register_app

        register_app(self.name)  # dashboard figures (figures.py)
