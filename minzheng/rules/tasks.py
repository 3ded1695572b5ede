"""政策目录与资格判定: background job handlers (registered with jobs.services.job_handler)."""

from __future__ import annotations
