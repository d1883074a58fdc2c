"""Plain-data builders for engine tests: a person and a request near Helsinki's centre."""

from __future__ import annotations

import dataclasses
import datetime as dt

from candidates.availability import FULL_WEEK
from staffing.matching.features import CandidateFeatures, RequestSpec, ShiftSpec
from staffing.matching.rules import DEFAULT_WEIGHTS

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC).timestamp()  # a Monday morning
# Tuesday 3 March 2026, 16:00–21:00 Helsinki (14:00–19:00 UTC): day and evening parts.
SHIFT_START = dt.datetime(2026, 3, 3, 14, 0, tzinfo=dt.UTC).timestamp()
SHIFT_END = SHIFT_START + 5 * 3600
SHIFT_DATE = dt.date(2026, 3, 3).toordinal()
SHIFT_MASK = (1 << (1 * 3 + 1)) | (1 << (1 * 3 + 2))
SITE = (60.1699, 24.9384)
COMPANY = 7


def person(id: int = 1, **changes) -> CandidateFeatures:
    base = CandidateFeatures(
        id=id,
        latitude=60.18,
        longitude=24.95,
        max_travel_km=25,
        works_retail=True,
        works_office=False,
        availability=FULL_WEEK,
        availability_confirmed_at=NOW - 86400,
        languages={"fi": 6, "en": 4},
        assessment=(4, 4, 3),
    )
    return dataclasses.replace(base, **changes)


def request(**changes) -> RequestSpec:
    base = RequestSpec(
        company_id=COMPANY,
        role_type="retail",
        site_latitude=SITE[0],
        site_longitude=SITE[1],
        shifts=(ShiftSpec(SHIFT_START, SHIFT_END, SHIFT_MASK, (SHIFT_DATE,)),),
        now=NOW,
        weights=dict(DEFAULT_WEIGHTS),
        languages=(("fi", 4),),
    )
    return dataclasses.replace(base, **changes)
