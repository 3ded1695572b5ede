"""政策目录与资格判定: forms."""

from __future__ import annotations
