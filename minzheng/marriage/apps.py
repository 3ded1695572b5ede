from __future__ import annotations

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.marriage"
    label = "marriage"
    verbose_name = "婚姻收养登记"

    def ready(self) -> None:
        from minzheng.core import navigation
        from minzheng.marriage import access, services  # noqa: F401  (services binds the appointment machine)

        navigation.register("marriage", group="婚姻收养登记", group_order=72, order=10, entries=access.nav_entries)
        from minzheng.core.figures import register_app

        register_app("minzheng.marriage")
