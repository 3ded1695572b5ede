"""居家养老: background job handlers (registered with jobs.services.job_handler)."""

from __future__ import annotations
