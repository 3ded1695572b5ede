"""居家养老: pages. Thin: access + services + selectors."""

from __future__ import annotations
