"""The matching engine: a pure core (plain data in, ranked and explained entries out, no ORM).

`rules` holds the version and weights, `features` the allow-list of what the engine may see,
`pool` the columnar in-memory pool, `engine` the ranking, `explain` the readable sentences,
`replay` the recomputation of a stored shortlist and `naive` the straightforward baseline the
benchmark compares against. Loading from and storing to the database lives in
`staffing.services.pool` and `staffing.services.matching`.
"""
