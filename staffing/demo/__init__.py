"""Demo and benchmark data: realistic Finnish clients and a candidate pool of any size.

`generate_candidates()` (in `staffing.demo.candidates`) writes a synthetic pool with PostgreSQL COPY
and is what benchmarks call; `seed_demo()` (in `staffing.demo.seed`) builds the whole demo world
behind `manage.py seed_demo`. Nothing here runs in production code paths.
"""
