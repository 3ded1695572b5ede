"""老年助餐: reads, always scoped to the actor's jurisdiction."""

from __future__ import annotations
