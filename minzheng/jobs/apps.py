from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import AppConfig


class Config(AppConfig):
    name = "minzheng.jobs"
    label = "jobs"

    def ready(self) -> None:
        from django.core.signals import setting_changed

        from minzheng.jobs import retention  # registers the file clean-up job
        from minzheng.scheduler.registry import register

        # Files with full identity numbers go after the retention period, every night, in the worker.
        register("files.purge", retention.purge_expired_files, daily_at=dt.time(2, 30), label="过期文件清理")
        configure_file_limits()
        # Tests change the limits with the settings fixture; the Django-free guard follows.
        setting_changed.connect(_limits_changed, dispatch_uid="minzheng.jobs.file_limits")


def configure_file_limits() -> None:
    """Hand the MINZHENG_* file limits to core.fileguard, which the Django-free engines call too."""
    from django.conf import settings

    from minzheng.core import fileguard

    base = fileguard.Limits()
    mb = 1 << 20
    fileguard.configure(
        fileguard.Limits(
            max_rows=getattr(settings, "MINZHENG_SHEET_MAX_ROWS", base.max_rows),
            max_columns=getattr(settings, "MINZHENG_SHEET_MAX_COLUMNS", base.max_columns),
            max_cells=getattr(settings, "MINZHENG_SHEET_MAX_CELLS", base.max_cells),
            max_uncompressed_bytes=getattr(
                settings, "MINZHENG_FILE_MAX_UNCOMPRESSED_MB", base.max_uncompressed_bytes // mb
            )
            * mb,
            max_ratio=getattr(settings, "MINZHENG_FILE_MAX_RATIO", base.max_ratio),
            max_cell_chars=getattr(settings, "MINZHENG_CELL_MAX_CHARS", base.max_cell_chars),
        )
    )


def _limits_changed(setting: str = "", **kwargs: Any) -> None:
    if setting.startswith(("MINZHENG_SHEET_", "MINZHENG_FILE_MAX_", "MINZHENG_CELL_")):
        configure_file_limits()
