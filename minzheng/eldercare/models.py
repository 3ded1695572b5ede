"""居家养老: models."""

from __future__ import annotations
