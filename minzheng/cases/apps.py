from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.cases"
    label = "cases"
    verbose_name = "社会救助案件"

    def ready(self) -> None:
        # Case types bind the Case model to their machines (workflow kernel) and register guards.
        from minzheng.cases import guards, services, tasks  # noqa: F401
        from minzheng.scheduler.registry import register
        from minzheng.workdays.services import AFTER_CHANGE

        AFTER_CHANGE.append(tasks.recount_after_holiday_change)  # a holiday import moves open deadlines
        register("cases.overdue", tasks.overdue_reminders, daily_at=dt.time(8, 0), label="案件超期提醒")
        register("cases.publicity", tasks.publicity_endings, daily_at=dt.time(0, 30), label="公示期满提醒")
        # Its entries in the navigation bar (the portal shows what apps register).
        from minzheng.cases import access
        from minzheng.core import navigation

        navigation.register("cases", group="办事", group_order=10, order=20, entries=access.nav_entries)
        from minzheng.core.figures import register_app

        register_app(self.name)  # dashboard figures (figures.py)
