from __future__ import annotations

from typing import Any

import pytest

from minzheng.volunteers.tests.helpers import World, make_world


@pytest.fixture
def world(cast: Any) -> World:
    return make_world(cast)
