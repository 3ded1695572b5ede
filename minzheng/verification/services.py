"""一键核对（家庭经济状况核对）: every write (one transaction, keyword-only actor=, one audit row)."""

from __future__ import annotations
