"""政策目录与资格判定: `minzheng` commands (registered by minzheng.cli_extra)."""

from __future__ import annotations
