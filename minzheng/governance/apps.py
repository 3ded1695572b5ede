from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.governance"
    label = "governance"
    verbose_name = "基层治理"

    def ready(self) -> None:
        # services binds the three machines; the step modules register their guards; items the producers.
        from minzheng.core import figures as registry
        from minzheng.core import navigation
        from minzheng.governance import (  # noqa: F401
            access,
            figures,
            items,
            services,
            services_mediation,
            services_questions,
            services_topics,
        )
        from minzheng.scheduler.registry import register

        register("governance.items", items.refresh_governance_items, daily_at=dt.time(7, 20), label="基层治理逾期提醒")
        navigation.register("governance", group="基层治理", group_order=70, order=10, entries=access.nav_entries)
        for figure in figures.FIGURES:
            registry.register(figure)
