"""居家养老: forms."""

from __future__ import annotations
