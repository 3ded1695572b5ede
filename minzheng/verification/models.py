"""一键核对（家庭经济状况核对）: models."""

from __future__ import annotations
