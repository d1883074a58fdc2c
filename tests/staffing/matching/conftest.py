from __future__ import annotations

import pytest

from staffing.services.pool import pool_reset


@pytest.fixture(autouse=True)
def _fresh_pool():
    """Each test starts with no worker pool: the first match loads it from the test database."""
    pool_reset()
    yield
    pool_reset()
