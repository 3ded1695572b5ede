"""Shared fixtures: the named cast and a loaded county (鄞州区)."""

from __future__ import annotations

import pytest

from minzheng.testing import Cast, load_test_divisions, make_cast


@pytest.fixture
def county(db: None) -> None:
    load_test_divisions()


@pytest.fixture
def cast(county: None) -> Cast:
    return make_cast()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: object) -> None:
    # PBKDF2's 1M iterations cost ~0.2 s per user; the cast has ten users per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
    # The test database is invisible to other threads (see jobs.services.job_start_in_background).
    settings.JOBS_INLINE = True  # type: ignore[attr-defined]
