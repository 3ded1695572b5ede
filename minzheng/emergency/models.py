"""一键通紧急呼叫: models."""

from __future__ import annotations
