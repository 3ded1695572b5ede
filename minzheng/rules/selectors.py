"""政策目录与资格判定: reads, always scoped to the actor's jurisdiction."""

from __future__ import annotations
