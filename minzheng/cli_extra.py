"""Commands whose implementation lives with their domain; registered on import."""

from __future__ import annotations

from minzheng.demo import cli as _demo_cli  # noqa: F401
from minzheng.jobs import cli as _jobs_cli  # noqa: F401
from minzheng.registry import cli as _registry_cli  # noqa: F401
