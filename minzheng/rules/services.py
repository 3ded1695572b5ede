"""政策目录与资格判定: every write (one transaction, keyword-only actor=, one audit row)."""

from __future__ import annotations
