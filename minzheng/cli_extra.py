"""Commands whose implementation lives with their domain; registered on import."""

from __future__ import annotations
