"""老年助餐: pages. Thin: access + services + selectors."""

from __future__ import annotations
