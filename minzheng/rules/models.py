"""政策目录与资格判定: models."""

from __future__ import annotations
