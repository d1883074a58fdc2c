"""Download my data: a copy the person can read (Article 15) and one a program can read
(Article 20), built from the same labelled sections.

Every row that points at the person is found by walking the models; the rows with a section of
their own are shown the way the person knows them (languages with CEFR names, availability as the
weekly grid, consents with dates...), and any other model pointing at them gets a section built
from its field names. So a model added later is exported without anyone remembering it here.
Internal audit rows are not a section; the part of them about the person, who was shown their
data, is (the view log).
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
import json
import zipfile
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.db import models
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from psycopg2.extras import Range

from candidates.availability import WEEKDAY_NAMES, DayPart
from candidates.languages import CEFR_DESCRIPTIONS, CEFRLevel
from candidates.models import (
    Assessment,
    Candidate,
    CandidateActivity,
    CandidateCV,
    CandidateLanguage,
    CandidateSkill,
    Consent,
    ConsentPurpose,
    DateOff,
    StatementRequest,
    WorkExperience,
    consent_purpose_description,
)
from candidates.services.cv import cv_bytes
from candidates.services.profile import PROFILE_FIELDS
from staffing.base.audit import audit_record
from staffing.base.models import AuditEvent, User
from staffing.models import Offer, Placement, ReliabilityRecord, ServiceRating, ShortlistEntry
from staffing.presenters import offer_reasons
from staffing.services.personal_data.visibility import profile_views

# Fields never exported: secrets and random storage names (see docs/privacy.md).
EXCLUDED_FIELDS = {
    ("staffing.user", "password"),
    ("candidates.candidatecv", "stored_name"),
}


def relations_to_person() -> list[tuple[type[models.Model], models.Field]]:
    """Every (model, field) whose foreign key or one-to-one points at a Candidate or a User."""
    targets = {Candidate, apps.get_model(settings.AUTH_USER_MODEL)}
    found: list[tuple[type[models.Model], models.Field]] = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if (
                isinstance(field, models.Field)
                and field.concrete
                and (field.many_to_one or field.one_to_one)
                and field.related_model in targets
            ):
                found.append((model, field))
    return found


@dataclass
class ExportSection:
    """One labelled part of the export: `columns` name the keys of `rows`, in order."""

    key: str
    title: str
    columns: list[tuple[str, str]]
    rows: list[dict[str, Any]]
    sources: list[str] = dataclass_field(default_factory=list)
    layout: str = "table"  # "fields": one record as label/value pairs; "grid": the week
    note: str = ""
    # Built from field names for a model without a section of its own; shown only when it
    # has rows (in the JSON always).
    generic: bool = False

    @property
    def shown(self) -> bool:
        return bool(self.rows) or not self.generic

    def labelled_rows(self) -> list[list[tuple[str, Any]]]:
        """Each row as (label, value) pairs in column order, for the readable copy."""
        shown = (lambda v: v) if self.layout == "grid" else _display
        return [[(label, shown(row.get(key))) for key, label in self.columns] for row in self.rows]

    def as_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "labels": dict(self.columns),
            "rows": [{k: _value(row.get(k)) for k, _label in self.columns} for row in self.rows],
            "note": self.note,
            "from": self.sources,
        }


def _display(value: Any) -> str:
    """A value as the person reads it: dates in their locale and time zone, yes or no."""
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if value is None or value == "":
        return "–"
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, float | decimal.Decimal):
        return formats.number_format(value, use_l10n=True)
    return str(value)


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return (
            timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
        )
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, Range):
        return {"from": _value(value.lower), "to": _value(value.upper)}
    if isinstance(value, models.Model):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)


def _label(model: type[models.Model], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name)).capitalize()


def _columns(model: type[models.Model], names: list[str]) -> list[tuple[str, str]]:
    return [(name, _label(model, name)) for name in names]


def _profile(candidate: Candidate, user: User | None) -> ExportSection:
    names = ["email", *PROFILE_FIELDS, "status", "created_at"]
    row = {name: getattr(candidate, name) for name in names}
    row["status"] = candidate.get_status_display()
    columns = _columns(Candidate, names)
    if user is not None:
        row["language"] = dict(settings.LANGUAGES).get(user.language, user.language)
        row["addresses"] = ", ".join(
            f"{a.email} ({_('verified') if a.verified else _('not verified')})"
            for a in EmailAddress.objects.filter(user=user)
        )
        columns += [("language", _("Language")), ("addresses", _("Login email addresses"))]
    return ExportSection(
        "profile",
        _("Profile"),
        columns,
        [row],
        ["candidates.Candidate", "staffing.User", "account.EmailAddress"],
        layout="fields",
    )


def _languages(candidate: Candidate) -> ExportSection:
    rows = [
        {
            "language": row.get_language_display(),
            "level": row.get_level_display(),
            "meaning": CEFR_DESCRIPTIONS[CEFRLevel(row.level)],
        }
        for row in candidate.languages.all()
    ]
    columns = [("language", _("Language")), ("level", _("CEFR level")), ("meaning", _("Meaning"))]
    return ExportSection(
        "languages", _("Languages"), columns, rows, ["candidates.CandidateLanguage"]
    )


def _availability(candidate: Candidate) -> ExportSection:
    cells = candidate.availability_cells
    columns = [("weekday", _("Weekday"))] + [
        (part.name.lower(), str(part.label)) for part in DayPart
    ]
    rows = [
        {"weekday": str(name), **{p.name.lower(): (day, p.value) in cells for p in DayPart}}
        for day, name in enumerate(WEEKDAY_NAMES)
    ]
    confirmed = candidate.availability_confirmed_at
    note = (
        _("Last confirmed %(date)s.")
        % {"date": formats.date_format(timezone.localtime(confirmed), "DATE_FORMAT")}
        if confirmed
        else _("Not entered yet.")
    )
    return ExportSection(
        "availability",
        _("Weekly availability"),
        columns,
        rows,
        ["candidates.Candidate"],
        layout="grid",
        note=note,
    )


def _rows(model: type[models.Model], queryset, names: list[str]) -> list[dict[str, Any]]:
    """Rows of `names`, choice fields as their labels."""
    out = []
    for obj in queryset:
        row = {}
        for name in names:
            f = model._meta.get_field(name)
            choices = getattr(f, "choices", None)
            row[name] = getattr(obj, f"get_{name}_display")() if choices else getattr(obj, name)
            if isinstance(f, models.ForeignKey):
                row[name] = str(row[name]) if row[name] is not None else ""
        out.append(row)
    return out


def _simple(key: str, title: str, model: type[models.Model], queryset, names: list[str]):
    return ExportSection(
        key, title, _columns(model, names), _rows(model, queryset, names), [model._meta.label]
    )


def _consents(candidate: Candidate) -> ExportSection:
    rows = [
        {
            "purpose": c.get_purpose_display(),
            "meaning": consent_purpose_description(c.purpose),
            "version": c.version,
            "given_at": c.given_at,
            "withdrawn_at": c.withdrawn_at,
        }
        for c in candidate.consents.all()
    ]
    columns = [
        ("purpose", _("Purpose")),
        ("meaning", _("What it means")),
        ("version", _("Privacy notice version")),
        ("given_at", _("Given")),
        ("withdrawn_at", _("Withdrawn")),
    ]
    return ExportSection("consents", _("Consents"), columns, rows, ["candidates.Consent"])


def _shortlists(candidate: Candidate) -> ExportSection:
    entries = (
        ShortlistEntry.objects.filter(candidate=candidate)
        .select_related("shortlist__request__company", "shortlist__request__site")
        .order_by("-shortlist__created_at")
    )
    rows = [
        {
            "at": e.shortlist.created_at,
            "request": f"{e.shortlist.request.company.name} – {e.shortlist.request.site.name}",
            "rank": e.rank if not e.near_miss else _("near miss"),
            "score": round(e.score, 3),
            "reasons": "; ".join(offer_reasons(e.explanation)) or "–",
        }
        for e in entries
    ]
    columns = [
        ("at", _("When")),
        ("request", _("Client and site")),
        ("rank", _("Rank")),
        ("score", _("Score")),
        ("reasons", _("Main reasons")),
    ]
    return ExportSection(
        "shortlists", _("Shortlists I appeared on"), columns, rows, ["staffing.ShortlistEntry"]
    )


def _offers(candidate: Candidate) -> ExportSection:
    offers = (
        Offer.objects.filter(candidate=candidate)
        .select_related("request__company", "request__site", "shortlist_entry")
        .order_by("-sent_at", "-pk")
    )
    rows = [
        {
            "sent_at": o.sent_at,
            "request": f"{o.request.company.name} – {o.request.site.name}",
            "status": o.get_status_display(),
            "deadline": o.deadline,
            "reasons": "; ".join(
                offer_reasons(o.shortlist_entry.explanation if o.shortlist_entry else {})
            )
            or "–",
        }
        for o in offers
    ]
    columns = [
        ("sent_at", _("Sent")),
        ("request", _("Client and site")),
        ("status", _("Status")),
        ("deadline", _("Answer by")),
        ("reasons", _("Why you were offered it")),
    ]
    return ExportSection("offers", _("Work offers"), columns, rows, ["staffing.Offer"])


def _placements(candidate: Candidate) -> ExportSection:
    placements = Placement.objects.filter(candidate=candidate).select_related(
        "request__company", "request__site", "shift"
    )
    rows = [
        {
            "starts": p.shift.starts_at,
            "ends": p.shift.ends_at,
            "request": f"{p.request.company.name} – {p.request.site.name}",
            "status": p.get_status_display(),
        }
        for p in placements.order_by("-shift__starts_at")
    ]
    columns = [
        ("starts", _("Starts")),
        ("ends", _("Ends")),
        ("request", _("Client and site")),
        ("status", _("Status")),
    ]
    return ExportSection("placements", _("Assignments"), columns, rows, ["staffing.Placement"])


def _feedback(candidate: Candidate) -> list[ExportSection]:
    ratings = ServiceRating.objects.filter(candidate=candidate).select_related("company")
    rating_rows = [
        {
            "at": r.created_at,
            "company": r.company.name,
            "score": f"{r.score}/5",
            "comment": r.comment,
        }
        for r in ratings
    ]
    rating_columns = [
        ("at", _("When")),
        ("company", _("Client")),
        ("score", _("Rating")),
        ("comment", _("Comment")),
    ]
    records = ReliabilityRecord.objects.filter(candidate=candidate)
    record_names = ["kind", "reason", "contest_reason", "answer"]
    return [
        ExportSection(
            "ratings",
            _("Feedback from clients"),
            rating_columns,
            rating_rows,
            ["staffing.ServiceRating"],
        ),
        _simple("reliability", _("Reliability record"), ReliabilityRecord, records, record_names),
    ]


def _view_log(candidate: Candidate) -> ExportSection:
    rows = [
        {"at": v.at, "who": v.who, "what": v.what, "where": v.where}
        for v in profile_views(candidate=candidate, limit=10_000)
    ]
    columns = [
        ("at", _("When")),
        ("who", _("Who")),
        ("what", _("What they saw")),
        ("where", _("Where")),
    ]
    return ExportSection(
        "views", _("Who has viewed my data"), columns, rows, ["staffing.AuditEvent"]
    )


def _other(model: type[models.Model], fk: models.Field, owner: models.Model) -> ExportSection:
    """A section for a model without its own: its fields by their names, in plain values."""
    label = model._meta.label_lower
    names = [
        f.name
        for f in model._meta.concrete_fields
        if not f.primary_key
        and f.name != fk.name
        and (label, f.name) not in EXCLUDED_FIELDS
        and not (f.is_relation and f.related_model in (Candidate, User))
    ]
    rows = model._default_manager.filter(**{fk.name: owner}).order_by("pk")
    title = str(model._meta.verbose_name_plural).capitalize()
    return ExportSection(
        f"{model._meta.label}.{fk.name}",
        title,
        _columns(model, names),
        _rows(model, rows, names),
        [model._meta.label],
        generic=True,
    )


# Models with a section of their own (or, for audit rows, only their view-log part).
OWN_SECTIONS = {
    Candidate,
    CandidateLanguage,
    CandidateSkill,
    DateOff,
    WorkExperience,
    CandidateCV,
    Consent,
    ConsentPurpose,
    Assessment,
    StatementRequest,
    ShortlistEntry,
    Offer,
    Placement,
    ServiceRating,
    ReliabilityRecord,
    AuditEvent,
    EmailAddress,
    CandidateActivity,
}


def export_sections(*, candidate: Candidate) -> list[ExportSection]:
    """Everything about the person, in labelled sections, in the active language."""
    user = candidate.user
    skills = candidate.skills.select_related("skill").order_by("skill__code")
    cv = CandidateCV.objects.filter(candidate=candidate)
    activity = CandidateActivity.objects.filter(candidate=candidate)
    assessments = candidate.assessments.all()
    assessment_names = [
        "assessed_at",
        "service_attitude",
        "communication",
        "sales",
        "language_checked",
        "language_level_verified",
        "summary",
        "notes",  # notes about a person are their data too (Article 15)
    ]
    sections = [
        _profile(candidate, user),
        _languages(candidate),
        _availability(candidate),
        _simple("dates_off", _("Dates off"), DateOff, candidate.dates_off.all(), ["date"]),
        _simple("skills", _("Skills"), CandidateSkill, skills, ["skill", "level"]),
        _simple(
            "experience",
            _("Work experience"),
            WorkExperience,
            candidate.experiences.all(),
            ["employer", "title", "started", "ended", "description"],
        ),
        _simple(
            "cv", _("CV"), CandidateCV, cv, ["original_name", "content_type", "size", "uploaded_at"]
        ),
        _consents(candidate),
        _simple("assessments", _("Assessments"), Assessment, assessments, assessment_names),
        _simple(
            "statements",
            _("Written statements"),
            StatementRequest,
            candidate.statement_requests.all(),
            ["requested_at", "statement", "answered_at"],
        ),
        _shortlists(candidate),
        _offers(candidate),
        _placements(candidate),
        *_feedback(candidate),
        _view_log(candidate),
        _simple(
            "activity",
            _("Reminders and activity"),
            CandidateActivity,
            activity,
            ["last_seen_at", "availability_reminded_at", "renewal_requested_at"],
        ),
    ]
    for model, fk in relations_to_person():
        if model in OWN_SECTIONS:
            continue
        owner = candidate if fk.related_model is Candidate else user
        if owner is not None:
            sections.append(_other(model, fk, owner))
    return sections


def data_export(*, candidate: Candidate) -> dict[str, Any]:
    """The machine-readable copy: every section with its labels, values as plain JSON."""
    return {
        "format": "service-staff-now/personal-data/2",
        "exported_at": timezone.now().isoformat(),
        "language": translation.get_language(),
        "sections": {s.key: s.as_json() for s in export_sections(candidate=candidate)},
    }


def data_export_html(*, candidate: Candidate) -> str:
    """The readable copy as one self-contained web page (opens on a phone, no network)."""
    context = {
        "candidate": candidate,
        "sections": export_sections(candidate=candidate),
        "exported_at": timezone.now(),
    }
    return render_to_string("candidates/export_file.html", context)


def data_export_zip(*, candidate: Candidate, by: User | None) -> bytes:
    """A zip with the readable page, data.json and the CV, for the "Download my data" button."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("my-data.html", data_export_html(candidate=candidate))
        zf.writestr(
            "data.json",
            json.dumps(data_export(candidate=candidate), ensure_ascii=False, indent=2, default=str),
        )
        cv = CandidateCV.objects.filter(candidate=candidate).first()
        if cv is not None:
            zf.writestr(f"cv/{cv.original_name}", cv_bytes(cv=cv))
    audit_record(
        actor=by, action="candidate.data_exported", target=candidate, candidate_id=candidate.pk
    )
    return buffer.getvalue()


def data_export_record(*, candidate: Candidate, by: User | None, kind: str) -> None:
    """Note that the person took a copy of their data (the readable file)."""
    audit_record(
        actor=by,
        action="candidate.data_exported",
        target=candidate,
        candidate_id=candidate.pk,
        data={"kind": kind},
    )
