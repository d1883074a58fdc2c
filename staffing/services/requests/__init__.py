"""Staffing requests: `submit` (an order and its hand-off to matching), `status` (the one status
writer, audited) and `cancel` (the client cancels a request or one of its shifts).

`cancel` builds on offers and placements, which build on `status`; so this package's own
namespace carries only `submit` and `status`, and `cancel` is imported from its module.
"""

from staffing.services.requests.status import request_status_set
from staffing.services.requests.submit import (
    MATCH_TASK,
    LanguageNeed,
    matching_enqueue,
    requests_unmatched_requeue,
    staffing_request_submit,
    staffing_request_submit_once,
)

__all__ = [
    "MATCH_TASK",
    "LanguageNeed",
    "matching_enqueue",
    "request_status_set",
    "requests_unmatched_requeue",
    "staffing_request_submit",
    "staffing_request_submit_once",
]
