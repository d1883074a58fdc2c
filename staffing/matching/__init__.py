"""The matching engine: a pure core (plain data in, ranked and explained entries out; no ORM, no
Django, no wording).

- `rules`: the rules version, hard constraints, default weights and their documented limits.
- `features`: the allow-list of what the engine may see of a person and a request.
- `pool`: the columnar in-memory pool (and its side tables: skills, dates off, bookings, marks).
- `geometry`: distances and the travel test.
- `factors`: each soft factor's value and points.
- `kept`: the columns a pool keeps per site, profile and weekday between matches.
- `engine`: the screen (hard constraints), near misses and the ranking.
- `entries`: ranked people's points (`Points`) and their explanations as data (`EntryFacts`).
- `replay`: recomputing a stored shortlist from its stored inputs.
- `naive`: the straightforward baseline the benchmark compares against (and a correctness oracle).

The readable sentences live in `staffing.explanations` (presentation); loading from and storing
to the database in `staffing.services.pool` and `staffing.services.matching`.
"""
