"""一键通紧急呼叫: `minzheng` commands (registered by minzheng.cli_extra)."""

from __future__ import annotations
