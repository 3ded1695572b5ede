from __future__ import annotations

from typing import Any

import pytest

from minzheng.eldercare.testing import CareWorld, make_care_world


@pytest.fixture
def care(cast: Any) -> CareWorld:
    return make_care_world(cast)
