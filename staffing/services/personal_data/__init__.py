"""A person's data across the agency (the GDPR duties): who saw it (`visibility`), a readable and
a machine-readable copy (`export`), erasure that leaves nothing (`erasure`) and the retention
sweep (`retention_sweep`). They read and change the pool's and the workflow's rows alike, so they
live in the workflow layer.
"""
