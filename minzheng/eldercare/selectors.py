"""居家养老: reads, always scoped to the actor's jurisdiction."""

from __future__ import annotations
