"""老年助餐: forms."""

from __future__ import annotations
