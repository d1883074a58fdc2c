# The base layer's models (users, audit, outbox) are imported here so that Django registers them
# with this app, as it always has.
from staffing.base.models import AuditEvent, OutboundEmail, User

from .bench import Bench, BenchEntry, SweepMark
from .curation import ShortlistEdit
from .feedback import PresentedDecline, ReliabilityRecord, ServiceRating, ShiftCancellation
from .offers import Offer
from .operations import TaskFailure, WorkerHeartbeat
from .placements import DAILY_REST, Placement
from .pools import TalentPool, TalentPoolMember
from .requests import RequestLanguage, Shift, StaffingRequest
from .shortlists import Shortlist, ShortlistEntry

__all__ = [
    "DAILY_REST",
    "AuditEvent",
    "Bench",
    "BenchEntry",
    "Offer",
    "OutboundEmail",
    "Placement",
    "PresentedDecline",
    "ReliabilityRecord",
    "RequestLanguage",
    "ServiceRating",
    "Shift",
    "ShiftCancellation",
    "Shortlist",
    "ShortlistEdit",
    "ShortlistEntry",
    "StaffingRequest",
    "SweepMark",
    "TalentPool",
    "TalentPoolMember",
    "TaskFailure",
    "User",
    "WorkerHeartbeat",
]
