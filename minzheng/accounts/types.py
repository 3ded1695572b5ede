"""Who acts: the type of every service's `actor` (instead of `Any`).

Services are called from pages and the API (request.user, signed in), from jobs (the user who queued
them) and from the CLI (None: the system, which the audit log records as 系统).
"""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser

from minzheng.accounts.models import User

Actor: TypeAlias = User
# The audit log also records a visitor who is not signed in (a refused login) and the system (None).
Recorder: TypeAlias = User | AnonymousUser | None
