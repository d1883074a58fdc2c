"""Every time a client manager is shown a candidate's data, the candidate can later see it."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from staffing.base.audit import personal_data_view_record
from staffing.models import AuditEvent, StaffingRequest, User
from staffing.presenters import PresentedPerson


def candidate_views_record(
    *,
    viewer: User,
    staffing_request: StaffingRequest,
    people: Sequence[PresentedPerson],
    page_load: bool,
) -> int:
    """Log what this client manager was shown of each person: a summary, or contact details.

    A page load logs every person shown; the live part, polled every few seconds, only logs
    people (or a level of detail) this viewer had not been shown on this request before.
    Returns the number of events written.
    """
    written = 0
    with transaction.atomic():
        seen = set()
        if not page_load:
            seen = set(
                AuditEvent.objects.filter(
                    action__in=AuditEvent.VIEW_ACTIONS,
                    actor=viewer,
                    staffing_request=staffing_request,
                ).values_list("candidate_id", "data__seen")
            )
        for person in people:
            level = "contact" if person.placed else "summary"
            if (person.candidate_id, level) in seen:
                continue
            personal_data_view_record(
                viewer=viewer,
                candidate_id=person.candidate_id,
                seen=level,
                target=staffing_request,
                staffing_request_id=staffing_request.pk,
            )
            written += 1
    return written
