"""老年助餐: models."""

from __future__ import annotations
