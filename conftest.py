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


@pytest.fixture(autouse=True)
def _data_dir(settings: object, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test writes uploads, rejects, exports and staging files under its own temp dir."""
    root = tmp_path_factory.mktemp("data")
    settings.DATA_DIR = root  # type: ignore[attr-defined]
    for name in ("UPLOADS_DIR", "REJECTS_DIR", "EXPORTS_DIR", "FEEDS_DIR"):
        setattr(settings, name, root / name.removesuffix("_DIR").lower())


@pytest.fixture(autouse=True)
def _fresh_holiday_calendar() -> None:
    """The working-day calendar is cached per process; a test's rolled-back import must not leak."""
    from minzheng.workdays.selectors import invalidate

    invalidate()
