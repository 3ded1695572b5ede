"""一键通紧急呼叫: forms."""

from __future__ import annotations
