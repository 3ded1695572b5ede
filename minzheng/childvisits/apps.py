from __future__ import annotations

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.childvisits"
    label = "childvisits"
    verbose_name = "儿童走访与儿童保障案件"

    def ready(self) -> None:
        import datetime as dt

        from minzheng.childvisits import access, entitlements, guards, plans  # noqa: F401 - registers guards, effects
        from minzheng.core import navigation
        from minzheng.scheduler.registry import register
        from minzheng.workitems.services import KIND_LABELS

        navigation.register("childvisits", group="儿童福利", group_order=35, order=20, entries=access.nav_entries)
        KIND_LABELS.update(plans.KINDS)
        register("childvisits.daily", plans.daily, daily_at=dt.time(6, 15), label="儿童走访计划与逾期待办")
        from minzheng.core.figures import register_app

        register_app(self.name)  # dashboard figures (figures.py)
