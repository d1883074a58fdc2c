"""Candidate self-service: every write about a person goes through one function here.

Each function that changes something the matching engine reads calls
`Candidate.objects.filter(...).touch()` in the same transaction, so the worker's pool sees the
change before its next match.
"""
