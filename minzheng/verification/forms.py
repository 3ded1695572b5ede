"""一键核对（家庭经济状况核对）: forms."""

from __future__ import annotations
