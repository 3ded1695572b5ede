"""居家养老: `minzheng` commands (registered by minzheng.cli_extra)."""

from __future__ import annotations
