from __future__ import annotations

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.placenames"
    label = "placenames"
    verbose_name = "地名管理"

    def ready(self) -> None:
        # services binds the two application machines; items registers the 待办 producer.
        from minzheng.core import figures, navigation
        from minzheng.placenames import access, items, services  # noqa: F401

        navigation.register("placenames", group="地名", group_order=85, order=10, entries=access.nav_entries)
        figures.register_app(self.name)
