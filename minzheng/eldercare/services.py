"""居家养老: every write (one transaction, keyword-only actor=, one audit row)."""

from __future__ import annotations
