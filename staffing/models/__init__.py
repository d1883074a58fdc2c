from .audit import AuditEvent
from .placements import DAILY_REST, Placement
from .requests import RequestLanguage, Shift, StaffingRequest
from .shortlists import Shortlist, ShortlistEntry
from .users import User

__all__ = [
    "DAILY_REST",
    "AuditEvent",
    "Placement",
    "RequestLanguage",
    "Shift",
    "Shortlist",
    "ShortlistEntry",
    "StaffingRequest",
    "User",
]
