"""The anchored rating scales of a structured assessment: what a 1, a 3 and a 5 look like.

Recruiters rate each area 1–5 against these anchors, so that two recruiters give the same person
the same score. The keys are `candidates.models.Assessment` columns (`communication` holds
friendliness and courtesy).
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

AREA_LABELS: dict[str, Promise] = {
    "service_attitude": _("Service attitude"),
    "communication": _("Friendliness and courtesy"),
    "calming": _("Calming an upset customer"),
    "problem_solving": _("Problem solving"),
    "sales": _("Sales"),
    "telephone_manner": _("Telephone or chat manner"),
}

AREA_ANCHORS: dict[str, dict[int, Promise]] = {
    "service_attitude": {
        1: _("Waits to be asked; treats the customer as an interruption."),
        3: _("Helps willingly when asked and finishes what they start."),
        5: _("Notices needs before they are said and makes every customer feel expected."),
    },
    "communication": {
        1: _("Curt or distracted; no greeting, no eye contact."),
        3: _("Polite and friendly, greets and thanks the customer."),
        5: _("Warm and natural with everyone, adapts tone to each customer."),
    },
    "calming": {
        1: _("Argues back, or freezes and passes the customer on."),
        3: _("Stays calm, listens and offers the standard solution."),
        5: _("Lets the customer be heard, owns the problem and turns them around."),
    },
    "problem_solving": {
        1: _("Needs someone else to solve anything outside the routine."),
        3: _("Solves common problems alone and knows when to ask."),
        5: _("Finds a good solution to new problems within the rules, quickly."),
    },
    "sales": {
        1: _("Does not offer anything, or pushes products the customer does not want."),
        3: _("Suggests a relevant extra when it fits, accepts a no gracefully."),
        5: _("Asks about needs and recommends so well that customers thank them for it."),
    },
    "telephone_manner": {
        1: _("Unclear or abrupt on the phone or in chat; the customer must repeat themselves."),
        3: _("Clear and polite, follows the call or chat through to an answer."),
        5: _("Sounds welcoming, sums up, and closes every contact with the customer satisfied."),
    },
}

SCORES = (1, 2, 3, 4, 5)


def area_label(area: str) -> str:
    return str(AREA_LABELS[area])
