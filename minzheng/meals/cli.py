"""老年助餐: `minzheng` commands (registered by minzheng.cli_extra)."""

from __future__ import annotations
