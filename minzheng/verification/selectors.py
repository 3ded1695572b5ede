"""一键核对（家庭经济状况核对）: reads, always scoped to the actor's jurisdiction."""

from __future__ import annotations
