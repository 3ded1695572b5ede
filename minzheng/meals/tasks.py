"""老年助餐: background job handlers (registered with jobs.services.job_handler)."""

from __future__ import annotations
