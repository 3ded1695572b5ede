"""一键核对（家庭经济状况核对）: background job handlers (registered with jobs.services.job_handler)."""

from __future__ import annotations
