"""一键通紧急呼叫: pages. Thin: access + services + selectors."""

from __future__ import annotations
