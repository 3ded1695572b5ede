"""一键核对（家庭经济状况核对）: `minzheng` commands (registered by minzheng.cli_extra)."""

from __future__ import annotations
