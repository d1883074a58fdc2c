"""Readable sentences from a stored explanation (codes and parameters, never sentences).

Explanations are stored as structured JSON so that they can be shown in the reader's language
at reading time: every string here goes through gettext. `explanation_lines` is the recruiter's
full account (constraints, points, what is missing); `fit_summary` is the client manager's
short "why they fit", in plain words and without scores.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.formats import date_format, number_format
from django.utils.translation import get_language, gettext_noop, ngettext
from django.utils.translation import gettext as _

from candidates.availability import WEEKDAY_NAMES, DayPart
from candidates.languages import CEFRLevel, Language

# The labels' msgids; `_labels` reads them in the active language.
_CONSTRAINT_LABELS = {
    "matchable": gettext_noop("Active and consents to matching"),
    "role_type": gettext_noop("Does this kind of work"),
    "weekly_grid": gettext_noop("Available on the weekly grid for every shift"),
    "date_off": gettext_noop("No day off on the shift dates"),
    "booked": gettext_noop("No other booking and enough rest (11 h) between shifts"),
    "travel": gettext_noop("Lives within their own travel distance"),
    "language": gettext_noop("Speaks every required language at the required level"),
    "barred": gettext_noop("Not barred by this client"),
}

_FACTOR_LABELS = {
    "skills_required": gettext_noop("Required skills"),
    "skills_preferred": gettext_noop("Preferred skills"),
    "assessment": gettext_noop("Assessment"),
    "language_verified": gettext_noop("Languages verified"),
    "experience_client": gettext_noop("Experience with this client"),
    "experience_kind": gettext_noop("Experience of this kind of work"),
    "rating": gettext_noop("Client ratings"),
    "reliability": gettext_noop("Reliability"),
    "distance": gettext_noop("Distance"),
    "freshness": gettext_noop("Availability up to date"),
    "fair_spread": gettext_noop("Fair spread of work"),
    "favourite": gettext_noop("Client's favourite"),
    "talent_pool": gettext_noop("In the client's talent pool"),
}

# Translated label tables by (table, language): a process's catalogues do not change while it
# runs. Translating a whole table at each of a page's hundreds of lookups was a fifth of the
# recruiter's request page's time.
_translated: dict[tuple[int, str | None], dict[str, str]] = {}


def _labels(table: dict[str, str]) -> dict[str, str]:
    key = (id(table), get_language())
    labels = _translated.get(key)
    if labels is None:
        labels = _translated[key] = {code: _(msgid) for code, msgid in table.items()}
    return labels


def _constraint_label(code: str) -> str:
    return _labels(_CONSTRAINT_LABELS).get(code, code)


def _factor_label(code: str) -> str:
    return _labels(_FACTOR_LABELS).get(code, code)


def factor_labels() -> dict[str, str]:
    """Every soft factor's name by code in the active language (a code without one is its own
    name), for pages that label many factors."""
    return _labels(_FACTOR_LABELS)


def factor_label(code: str) -> str:
    """A soft factor's name in the active language."""
    return _factor_label(code)


def factor_description(code: str) -> str:
    """What a soft factor's weight does, in one sentence (the weights editor shows it)."""
    sentences = {
        "skills_required": _("Points for holding the skills a request requires, by level."),
        "skills_preferred": _(
            "Points for the nice-to-have skills, and on the bench for the profile's valued skills."
        ),
        "assessment": _(
            "Points for the agency's assessment, weighed by what the client values (service, "
            "sales or both)."
        ),
        "language_verified": _("Points when a language check has verified the required languages."),
        "experience_client": _("Points for shifts already worked well for this client."),
        "experience_kind": _("Points for experience of this kind of work (store or office)."),
        "rating": _("Points for clients' ratings of the person's service; unrated is neutral."),
        "reliability": _("Points taken off for no-shows and late cancellations."),
        "distance": _("Points for living near the site; nothing from 30 km on."),
        "freshness": _("Points for availability the person has confirmed recently."),
        "fair_spread": _("Points taken off from people who were offered much work lately."),
        "favourite": _("Points for the people this client has marked as favourites."),
    }
    return sentences.get(code, "")


def _language(code: str) -> str:
    try:
        return str(Language(code).label)
    except ValueError:
        return code


def _level(level: int) -> str:
    return CEFRLevel(level).label if 1 <= level <= 6 else _("none")


def _number(value: float, digits: int = 1) -> str:
    return number_format(value, digits)


def _factor_detail(factor: Mapping[str, Any], skill_names: Mapping[int, str]) -> str:
    code = factor["code"]
    if code in ("skills_required", "skills_preferred"):
        return _("%(have)s of %(of)s") % factor
    if code == "assessment":
        if "service_attitude" not in factor:
            return _("not assessed yet")
        return (
            _(
                "service attitude %(service_attitude)s/5, friendliness %(communication)s/5, "
                "sales %(sales)s/5"
            )
            % factor
        )
    if code == "language_verified":
        return (
            _("%(verified)s of %(of)s at the level verified in a language check, which counts")
            % factor
        )
    if code in ("experience_client", "experience_kind"):
        return ngettext(
            "%(completed)s completed assignment",
            "%(completed)s completed assignments",
            factor["completed"],
        ) % {"completed": factor["completed"]}
    if code == "rating":
        if not factor.get("count"):
            return _("not rated yet")
        return ngettext(
            "%(average)s average of %(count)s rating",
            "%(average)s average of %(count)s ratings",
            factor["count"],
        ) % {"average": _number(factor["average"]), "count": factor["count"]}
    if code == "reliability":
        no_shows, late = factor["no_shows"], factor["late_cancellations"]
        return ", ".join(
            [
                ngettext("%(n)s no-show", "%(n)s no-shows", no_shows) % {"n": no_shows},
                ngettext("%(n)s late cancellation", "%(n)s late cancellations", late) % {"n": late},
            ]
        )
    if code == "distance":
        return _("%(km)s km from the site") % {"km": _number(factor["km"])}
    if code == "freshness":
        if factor.get("days") is None:
            return _("never confirmed")
        if factor["days"] == 0:
            return _("confirmed today")
        return ngettext(
            "confirmed %(days)s day ago", "confirmed %(days)s days ago", factor["days"]
        ) % {"days": factor["days"]}
    if code == "fair_spread":
        return ngettext(
            "on %(recent)s shortlist in the last 7 days",
            "on %(recent)s shortlists in the last 7 days",
            factor["recent"],
        ) % {"recent": factor["recent"]}
    if code == "favourite":
        return _("yes") if factor.get("value") else _("no")
    if code == "talent_pool":
        return _("kept warm for this client") if factor.get("value") else _("no")
    return ""


def _cells(cells: list[list[int]]) -> str:
    return ", ".join(f"{WEEKDAY_NAMES[d]} {DayPart(p).label.lower()}" for d, p in cells)


def _failure_line(failure: Mapping[str, Any]) -> str:
    code = failure["code"]
    if code == "weekly_grid":
        return _("Not available on the weekly grid: %(cells)s") % {
            "cells": _cells(failure.get("cells", []))
        }
    if code == "date_off":
        dates = ", ".join(
            date_format(dt.date.fromisoformat(d), "SHORT_DATE_FORMAT")
            for d in failure.get("dates", [])
        )
        return _("Has a day off on %(dates)s") % {"dates": dates}
    if code == "booked":
        return _("Booked elsewhere, or less than 11 hours of rest between shifts")
    if code == "travel":
        if failure.get("km") is None:
            return _("Home location unknown")
        return _("Lives %(km)s km away, travels at most %(max)s km") % {
            "km": _number(failure["km"]),
            "max": failure["max_km"],
        }
    if code == "language":
        return "; ".join(_language_gap(gap) for gap in failure.get("languages", []))
    if code == "role_type":
        return _("Does not do this kind of work")
    return _constraint_label(code)


def _language_gap(gap: Mapping[str, Any]) -> str:
    text = (
        _("%(language)s %(have)s as verified in a language check, request needs %(need)s")
        if gap.get("verified")
        else _("%(language)s %(have)s, request needs %(need)s")
    )
    return text % {
        "language": _language(gap.get("language", "")),
        "have": _level(gap.get("have", 0)),
        "need": _level(gap.get("need", 0)),
    }


def _missing_line(item: Mapping[str, Any], skill_names: Mapping[int, str]) -> str:
    code = item["code"]
    if code == "skill":
        name = skill_names.get(item["skill"], f"#{item['skill']}")
        if item.get("required"):
            return _("Lacks the required skill %(skill)s") % {"skill": name}
        return _("Lacks the preferred skill %(skill)s") % {"skill": name}
    if code == "not_assessed":
        return _("Not assessed yet")
    if code == "language_unverified":
        return _("%(language)s %(level)s not yet checked in an assessment") % {
            "language": _language(item["language"]),
            "level": _level(item["need"]),
        }
    if code == "availability_unconfirmed":
        return _("Availability never confirmed")
    if code == "availability_stale":
        return ngettext(
            "Availability last confirmed %(days)s day ago",
            "Availability last confirmed %(days)s days ago",
            item["days"],
        ) % {"days": item["days"]}
    return code


def explanation_lines(
    explanation: Mapping[str, Any], skill_names: Mapping[int, str] | None = None
) -> list[str]:
    """The recruiter's account of one entry, in the active language: constraints, points, gaps."""
    names = skill_names or {}
    lines = [
        _("Not ranked: %(reason)s") % {"reason": _failure_line(f)}
        for f in explanation.get("failed", [])
    ]
    lines += [
        _("✓ %(constraint)s") % {"constraint": _constraint_label(code)}
        for code in explanation.get("passed", [])
    ]
    for factor in explanation.get("factors", []):
        lines.append(
            _("%(factor)s: %(points)s points (%(detail)s)")
            % {
                "factor": _factor_label(factor["code"]),
                "points": _signed(factor["points"]),
                "detail": _factor_detail(factor, names),
            }
        )
    if "score" in explanation:
        lines.append(_("Score: %(score)s") % {"score": _number(explanation["score"], 2)})
    lines += [_missing_line(item, names) for item in explanation.get("missing", [])]
    return lines


def explanation_parts(
    explanation: Mapping[str, Any], skill_names: Mapping[int, str] | None = None
) -> dict[str, Any]:
    """The same account as `explanation_lines`, kept in parts so a page can lay it out as a
    table: failed and passed constraints, each factor as (label, points, detail), what is
    missing."""
    names = skill_names or {}
    return {
        "failed": [_failure_line(f) for f in explanation.get("failed", [])],
        "passed": [_constraint_label(code) for code in explanation.get("passed", [])],
        "factors": [
            {
                "label": _factor_label(factor["code"]),
                "points": factor["points"],
                "signed": _signed(factor["points"]),
                "detail": _factor_detail(factor, names),
            }
            for factor in explanation.get("factors", [])
        ],
        "score": explanation.get("score", 0),
        "missing": [_missing_line(item, names) for item in explanation.get("missing", [])],
    }


def _signed(points: float) -> str:
    text = _number(points, 2)
    return text if points < 0 else f"+{text}"


def fit_summary(explanation: Mapping[str, Any]) -> list[str]:
    """Why this person fits, for a client manager: plain words, no scores, at most four lines."""
    factors = {f["code"]: f for f in explanation.get("factors", [])}
    lines: list[str] = []
    if factors.get("favourite", {}).get("value"):
        lines.append(_("You have marked them as a favourite"))
    if factors.get("experience_client", {}).get("completed"):
        lines.append(_("Has worked for you before"))
    assessment = factors.get("assessment", {})
    if assessment.get("value", 0) >= 0.75:
        lines.append(_("Excellent customer service in our assessment"))
    elif assessment.get("value", 0) >= 0.5:
        lines.append(_("Good customer service in our assessment"))
    if factors.get("skills_required", {}).get("value") == 1:
        lines.append(_("Has every skill you asked for"))
    if factors.get("experience_kind", {}).get("completed"):
        lines.append(_("Experienced in this kind of work"))
    km = factors.get("distance", {}).get("km")
    if km is not None and km <= 10:
        lines.append(_("Lives nearby"))
    if not explanation.get("failed"):
        lines.append(_("Available for every shift and speaks the languages needed"))
    return lines[:4]
