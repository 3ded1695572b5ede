from __future__ import annotations

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.payments"
    label = "payments"
    verbose_name = "待遇与资金发放"

    def ready(self) -> None:
        # Its entries in the navigation bar (待遇名册, 发放批次, 追回台账), its own group after 办事.
        from minzheng.core import navigation
        from minzheng.payments import access

        navigation.register("payments", group="待遇发放", group_order=15, order=10, entries=access.nav_entries)
        # Stops (H2): the 停发核实 待办 and its actions, the overpayment machine; apply_stops daily and
        # after every verification batch, so a death stops the next payroll without anyone searching.
        import datetime as dt

        from minzheng.payments import items, overpayments, stops  # noqa: F401 - registers actions, machine
        from minzheng.scheduler.registry import register
        from minzheng.verification.tasks import AFTER_BATCH
        from minzheng.workitems.services import ON_RESOLVE

        ON_RESOLVE[items.SOURCE] = items.on_resolve
        AFTER_BATCH.append(stops.after_batch)
        register("payments.stops", stops.apply_stops, daily_at=dt.time(5, 30), label="核对发现自动暂停发放")
        # Sources (H3): confirmed cases → entitlements (workflow effects named in cases/types/*.yaml, plus a
        # daily sweep for a lost effect); registry benefit tags follow live entitlements.
        from minzheng.payments import services as payment_services
        from minzheng.payments import sources, tags

        payment_services.AFTER_STATUS_CHANGE.append(tags.after_status_change)
        register("payments.sources", sources.sweep_confirmed_cases, daily_at=dt.time(4, 30), label="确认案件补建待遇")
        register("payments.tags", tags.tags_sync_all, daily_at=dt.time(4, 45), label="待遇与人员标签核对")
        # Re-checks (H3): first review date on creation, daily 待办 / overdue warnings.
        from minzheng.payments import recheck

        payment_services.AFTER_STATUS_CHANGE.append(recheck.schedule_hook)
        recheck.register()
        register("payments.recheck", recheck.recheck_items, daily_at=dt.time(6, 0), label="待遇复核提醒")
        # Allowances (H3): 高龄津贴 免申即享 where the county switched it on.
        from minzheng.payments import allowances

        register("payments.gaoling", allowances.grant_auto_allowances, daily_at=dt.time(5, 0), label="高龄津贴免申即享")
        from minzheng.core.figures import register_app

        register_app(self.name)  # dashboard figures (figures.py)
