from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.institutions"
    label = "institutions"
    verbose_name = "养老机构"

    def ready(self) -> None:
        # services_quality binds the inspection machine, subsidy the maker-checker; items registers producers.
        from minzheng.core import figures, navigation
        from minzheng.institutions import access, items, services_quality, subsidy  # noqa: F401
        from minzheng.institutions import figures as own
        from minzheng.scheduler.registry import register

        register(
            "institutions.items", items.refresh_items, daily_at=dt.time(7, 20), label="养老机构评定到期与整改逾期提醒"
        )
        navigation.register("institutions", group="养老服务", group_order=40, order=40, entries=access.nav_entries)
        link = "/institutions/"
        for fig in (
            figures.Figure(
                "institutions.beds", "养老机构床位与在住", "养老服务", "张", own.beds, link, chart="bar", order=40
            ),
            figures.Figure("institutions.facilities", "养老服务设施", "养老服务", "个", own.facilities,
                           "/institutions/coverage/", chart="bar", order=41),
            figures.Figure("institutions.circle", "15 分钟养老服务圈覆盖村（社区）", "养老服务", "个", own.circle,
                           "/institutions/coverage/", chart="pie", order=42),
            figures.Figure("institutions.subsidy", "养老机构运营补贴", "养老服务", "元", own.subsidy, link,
                           chart="line", money=True, order=43),
        ):  # fmt: skip
            figures.register(fig)
