"""一键通紧急呼叫: reads, always scoped to the actor's jurisdiction."""

from __future__ import annotations
