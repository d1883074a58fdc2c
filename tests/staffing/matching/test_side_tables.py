"""A pool's side tables (dates off, bookings, marks, experience) after any sequence of changes."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from staffing.matching.pool import SideTable

# Each change: some people (pool indices 0..29) get these rows (date ordinal 0..5) instead of
# theirs; enough of them that the table compacts its dead rows now and then.
changes_st = st.lists(
    st.tuples(
        st.lists(st.integers(0, 29), max_size=30, unique=True),
        st.lists(st.tuples(st.integers(0, 29), st.integers(0, 5)), max_size=60),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes_st, st.lists(st.integers(0, 5), min_size=1, max_size=4))
def test_people_with_finds_every_live_row_of_a_value_after_any_changes(changes, asked_early):
    table = SideTable(capacity=4)
    table.replace(np.zeros(0, dtype=np.int64), _rows([(p, p % 6) for p in range(30)] * 40))
    expected = {p: [p % 6] * 40 for p in range(30)}
    for value in asked_early:  # positions kept from here on, through every change below
        table.people_with(float(value))
    for people, rows in changes:
        mine = [(p, d) for p, d in rows if p in people]
        table.replace(np.array(people, dtype=np.int64), _rows(mine))
        for p in people:
            expected[p] = [d for q, d in mine if q == p]
    for value in range(6):
        found = sorted(table.people_with(float(value)).tolist())
        want = sorted(p for p, days in expected.items() for d in days if d == value)
        assert found == want


def _rows(pairs):
    cand = np.array([p for p, _ in pairs], dtype=np.int64)
    a = np.array([d for _, d in pairs], dtype=np.float64)
    return cand, a, np.zeros(len(pairs))
