from __future__ import annotations

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.verification"
    label = "verification"
    verbose_name = "一键核对（家庭经济状况核对）"

    def ready(self) -> None:
        from minzheng.verification import access, items, tasks  # noqa: F401 - registers job handlers
        from minzheng.workitems.services import SETTLERS

        # Its findings are 待办 (written by each batch); the worklist's handlers may settle them there.
        SETTLERS[items.SOURCE] = access.can_handle_worklist
        # Its entries in the navigation bar (the portal shows what apps register).
        from minzheng.core import navigation

        navigation.register("verification", group="一键核对", group_order=20, order=10, entries=access.nav_entries)
        from minzheng.core.figures import register_app

        register_app(self.name)  # dashboard figures (figures.py)
