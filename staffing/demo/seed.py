"""The demo world behind `manage.py seed_demo`: clients, sites, profiles, logins, people, requests.

Everything is found or created by a natural key (email, business ID, site and profile name, a
request's notes), so running the seed again changes nothing, and a larger `candidates` tops the
generated pool up instead of starting over. Company names are invented.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone
from psycopg2.extras import DateTimeTZRange

from candidates.availability import HELSINKI, bit
from candidates.models import (
    Assessment,
    Candidate,
    CandidateLanguage,
    CandidateSkill,
    Consent,
    ConsentPurpose,
    Skill,
)
from candidates.services.consent import PRIVACY_NOTICE_VERSION
from clients.models import (
    ClientCompany,
    ClientMembership,
    ProfileLanguage,
    RoleType,
    ServiceFocus,
    ServiceProfile,
    Site,
    TypicalShift,
)
from staffing.demo.candidates import demo_candidate_count, generate_candidates
from staffing.demo.history import history_seed
from staffing.demo.places import place
from staffing.models import Placement, Shift, StaffingRequest, TalentPool, User
from staffing.services.matching import shortlist_build
from staffing.services.requests import LanguageNeed, staffing_request_submit

# At least 12 characters (the password policy); logins made by an older seed with the short
# password of before are moved to this one the next time the seed runs.
DEMO_PASSWORD = "demo-staff-now"
OLD_DEMO_PASSWORD = "demo12345"
DEFAULT_CANDIDATES = 2_000
MON_FRI = range(5)


@dataclass(frozen=True)
class ProfileKind:
    """A kind of workplace a client staffs, with what it needs and values."""

    label: str
    role_type: str
    focus: str
    description: str
    languages: tuple[tuple[str, int], ...]
    skills: tuple[str, ...]
    # (weekdays, start hour, end hour)
    shifts: tuple[tuple[tuple[int, ...], int, int], ...]


PROFILE_KINDS: dict[str, ProfileKind] = {
    "grocery": ProfileKind(
        "Myymälä: kassa ja palvelu",
        RoleType.RETAIL,
        ServiceFocus.BOTH,
        "Nopea ja ystävällinen kassapalvelu ruuhkassakin; tuoretiskin neuvonta.",
        (("fi", 4), ("en", 3)),
        ("till-work", "fresh-counter", "returns-exchanges", "product-advice"),
        ((tuple(MON_FRI), 16, 21), ((5,), 9, 17), ((6,), 12, 18)),
    ),
    "contact": ProfileKind(
        "Asiakaspalvelukeskus: puhelin ja chat",
        RoleType.OFFICE,
        ServiceFocus.SERVICE,
        "Rauhallinen ja selkeä palvelu puhelimessa ja chatissa, myös reklamaatioissa.",
        (("fi", 5), ("en", 4)),
        ("phone-service", "chat-email-service", "complaint-handling", "crm-systems"),
        ((tuple(MON_FRI), 8, 16), (tuple(MON_FRI), 12, 20), ((5,), 10, 16)),
    ),
    "contact_sv": ProfileKind(
        "Asiakaspalvelukeskus: ruotsinkielinen linja",
        RoleType.OFFICE,
        ServiceFocus.SERVICE,
        "Ruotsinkieliset asiakkaat palvellaan omalla kielellään.",
        (("sv", 5), ("fi", 4)),
        ("phone-service", "complaint-handling", "crm-systems"),
        ((tuple(MON_FRI), 9, 17),),
    ),
    "department": ProfileKind(
        "Tavaratalo: muoti ja kauneus",
        RoleType.RETAIL,
        ServiceFocus.SALES,
        "Asiakkaan kuunteleminen, tyylineuvonta ja luonteva lisämyynti.",
        (("fi", 4), ("en", 4), ("sv", 3)),
        ("fashion-beauty", "product-advice", "upselling", "till-work"),
        (((3, 4), 16, 21), ((5,), 10, 18), ((6,), 12, 18)),
    ),
    "electronics": ProfileKind(
        "Myymälä: kodintekniikka",
        RoleType.RETAIL,
        ServiceFocus.SALES,
        "Tuotteiden selittäminen selkokielellä ja ratkaisujen myynti.",
        (("fi", 4), ("en", 3)),
        ("electronics-advice", "sales", "upselling", "tech-support"),
        ((tuple(MON_FRI), 12, 20), ((5,), 10, 18)),
    ),
    # A Swedish-speaking client's shops: the profile reads in Swedish for its managers.
    "grocery_sv": ProfileKind(
        "Butik: kassa och kundservice",
        RoleType.RETAIL,
        ServiceFocus.BOTH,
        "Snabb och vänlig kassaservice även när det är rusning; kunderna betjänas på svenska "
        "och finska.",
        (("sv", 5), ("fi", 3)),
        ("till-work", "fresh-counter", "returns-exchanges", "product-advice"),
        ((tuple(MON_FRI), 16, 21), ((5,), 9, 17)),
    ),
}


@dataclass(frozen=True)
class SiteSpec:
    name: str
    street_address: str
    postal_code: str
    profiles: tuple[str, ...]


@dataclass(frozen=True)
class CompanySpec:
    name: str
    business_id: str
    manager_email: str
    manager_name: tuple[str, str]
    sites: tuple[SiteSpec, ...]
    manager_language: str = "fi"


COMPANIES: tuple[CompanySpec, ...] = (
    CompanySpec(
        "Kotimarket Oy",
        "1618033-3",
        "esimies@demo.fi",
        ("Sanna", "Lehtinen"),
        (
            SiteSpec("Kotimarket Kamppi", "Urho Kekkosen katu 4", "00100", ("grocery",)),
            SiteSpec("Kotimarket Leppävaara", "Leppävaarankatu 3", "02600", ("grocery",)),
            SiteSpec("Kotimarket Tikkurila", "Asematie 6", "01300", ("grocery",)),
            SiteSpec("Kotimarket Hervanta", "Insinöörinkatu 23", "33720", ("grocery",)),
            SiteSpec("Kotimarket Turku keskusta", "Yliopistonkatu 20", "20100", ("grocery",)),
            SiteSpec("Kotimarket Oulu keskusta", "Kirkkokatu 10", "90100", ("grocery",)),
        ),
    ),
    CompanySpec(
        "Palvelukeskus Linkki Oy",
        "1414213-0",
        "asiakaspalvelu@demo.fi",
        ("Mikko", "Rantanen"),
        (
            SiteSpec("Linkki Pasila", "Ratapihantie 11", "00520", ("contact", "contact_sv")),
            SiteSpec("Linkki Tampere", "Hatanpään valtatie 24", "33100", ("contact",)),
            SiteSpec("Linkki Oulu", "Elektroniikkatie 3", "90590", ("contact",)),
        ),
    ),
    CompanySpec(
        "Tavaratalo Aurora Oy",
        "2236067-2",
        "tavaratalo@demo.fi",
        ("Johanna", "Nieminen"),
        (
            SiteSpec("Aurora Helsinki", "Aleksanterinkatu 40", "00100", ("department",)),
            SiteSpec("Aurora Turku", "Eerikinkatu 11", "20100", ("department",)),
            SiteSpec("Aurora Tampere", "Hämeenkatu 10", "33100", ("department",)),
        ),
    ),
    CompanySpec(
        "Elektra Kodintekniikka Oy",
        "1732050-2",
        "elektroniikka@demo.fi",
        ("Jari", "Koskinen"),
        (
            SiteSpec("Elektra Vantaanportti", "Vantaanportinkatu 3", "01510", ("electronics",)),
            SiteSpec("Elektra Iso Omena", "Piispansilta 11", "02230", ("electronics",)),
            SiteSpec("Elektra Oulu", "Isokatu 20", "90100", ("electronics",)),
        ),
    ),
    CompanySpec(
        "Handelsboden Ab",
        "2645751-9",
        "butik@demo.fi",
        ("Linnea", "Holmström"),
        (
            SiteSpec("Handelsboden Vasa", "Hovrättsesplanaden 15", "65100", ("grocery_sv",)),
            SiteSpec("Handelsboden Borgå", "Mannerheimgatan 20", "06100", ("grocery_sv",)),
        ),
        manager_language="sv",
    ),
)


@dataclass
class SeedSummary:
    """What the seed found or made; `created` counts rows made by this run only."""

    created: dict[str, int] = field(default_factory=dict)
    generated_candidates: int = 0
    seconds_generating: float = 0.0

    def add(self, kind: str, was_created: bool) -> None:
        self.created[kind] = self.created.get(kind, 0) + int(was_created)


def _user(
    email: str,
    role: str,
    name: tuple[str, str],
    summary: SeedSummary,
    language: str = "fi",
    **extra: bool,
) -> User:
    user, created = User.objects.get_or_create(
        email=email,
        defaults={
            "role": role,
            "first_name": name[0],
            "last_name": name[1],
            "language": language,
            **extra,
        },
    )
    if created or user.check_password(OLD_DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    # Demo addresses are verified: logins need a verified address (sign-up must not tell
    # which addresses have accounts), and an unverified copy must not send anyone to verify.
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    summary.add("users", created)
    return user


def _profile(site: Site, kind_key: str, skills: dict[str, Skill], summary: SeedSummary) -> None:
    kind = PROFILE_KINDS[kind_key]
    profile, created = ServiceProfile.objects.get_or_create(
        company=site.company,
        name=f"{site.name}: {kind.label}",
        defaults={
            "site": site,
            "role_type": kind.role_type,
            "focus": kind.focus,
            "description": kind.description,
        },
    )
    summary.add("service profiles", created)
    if not created:
        return
    profile.valued_skills.set([skills[code] for code in kind.skills if code in skills])
    ProfileLanguage.objects.bulk_create(
        ProfileLanguage(profile=profile, language=lang, level=level)
        for lang, level in kind.languages
    )
    TypicalShift.objects.bulk_create(
        TypicalShift(profile=profile, weekday=day, start_time=dt.time(start), end_time=dt.time(end))
        for days, start, end in kind.shifts
        for day in days
    )


def _company(spec: CompanySpec, skills: dict[str, Skill], summary: SeedSummary) -> ClientCompany:
    company, created = ClientCompany.objects.get_or_create(
        business_id=spec.business_id, defaults={"name": spec.name}
    )
    summary.add("client companies", created)
    for site_spec in spec.sites:
        where = place(site_spec.postal_code)
        site, created = Site.objects.get_or_create(
            company=company,
            name=site_spec.name,
            defaults={
                "street_address": site_spec.street_address,
                "postal_code": where.postal_code,
                "city": where.municipality,
                "latitude": where.latitude,
                "longitude": where.longitude,
            },
        )
        summary.add("sites", created)
        for kind in site_spec.profiles:
            _profile(site, kind, skills, summary)
    manager = _user(
        spec.manager_email,
        User.Role.CLIENT_MANAGER,
        spec.manager_name,
        summary,
        language=spec.manager_language,
    )
    ClientMembership.objects.get_or_create(user=manager, defaults={"company": company})
    return company


@dataclass(frozen=True)
class DemoPerson:
    """A candidate login with a complete, assessed profile near Helsinki centre (or Vasa)."""

    email: str
    name: tuple[str, str]
    phone: str
    postal_code: str
    languages: tuple[tuple[str, int], ...]
    skills: tuple[tuple[str, int], ...]
    # service attitude, communication, sales
    assessment: tuple[int, int, int]
    introduction: str
    language: str = "fi"


STORE_SKILLS = (
    ("till-work", 3),
    ("fresh-counter", 3),
    ("returns-exchanges", 3),
    ("product-advice", 3),
)
DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson(
        "ehdokas@demo.fi",
        ("Emilia", "Virtanen"),
        "+358401234567",
        "00500",
        (("fi", 6), ("sv", 4), ("en", 5)),
        (
            ("till-work", 3),
            ("product-advice", 2),
            ("sales", 2),
            ("complaint-handling", 2),
            ("phone-service", 1),
        ),
        (5, 4, 4),
        "Iloinen ja kärsivällinen asiakaspalvelija, kolme vuotta kaupan kassalta ja "
        "puhelinpalvelusta.",
    ),
    # More candidate logins, so that a client's two-person order on a weekday evening in
    # Helsinki gets a first offer wave of people who can log in and answer it.
    DemoPerson(
        "ehdokas2@demo.fi",
        ("Aino", "Korhonen"),
        "+358401234562",
        "00100",
        (("fi", 6), ("en", 5)),
        STORE_SKILLS,
        (5, 5, 4),
        "Kassatyötä ja tuoretiskiä neljä vuotta, ruuhka ei hätkähdytä.",
    ),
    DemoPerson(
        "ehdokas3@demo.fi",
        ("Mikael", "Nieminen"),
        "+358401234563",
        "00120",
        (("fi", 6), ("en", 4), ("sv", 4)),
        STORE_SKILLS,
        (5, 5, 4),
        "Palvelen mielelläni kolmella kielellä; kokemusta kaupan kassalta ja palautuksista.",
    ),
    DemoPerson(
        "ehdokas4@demo.fi",
        ("Sofia", "Mäkinen"),
        "+358401234564",
        "00130",
        (("fi", 5), ("en", 5)),
        STORE_SKILLS,
        (5, 5, 4),
        "Rauhallinen ja ystävällinen, neuvon asiakasta mielelläni tuotevalinnoissa.",
    ),
    DemoPerson(
        "ehdokas5@demo.fi",
        ("Elias", "Heikkinen"),
        "+358401234565",
        "00140",
        (("fi", 6), ("en", 4)),
        STORE_SKILLS,
        (5, 5, 4),
        "Kolme vuotta päivittäistavarakaupassa, iltavuorot sopivat hyvin.",
    ),
    DemoPerson(
        "ehdokas6@demo.fi",
        ("Helmi", "Laine"),
        "+358401234566",
        "00150",
        (("fi", 5), ("en", 5), ("sv", 3)),
        STORE_SKILLS,
        (5, 5, 4),
        "Asiakas ensin: kassalla, palautuksissa ja tuoretiskillä.",
    ),
    # A Swedish-speaking candidate near the Vasa shop: offers and emails in Swedish.
    DemoPerson(
        "kandidat@demo.fi",
        ("Oskar", "Lindqvist"),
        "+358401234568",
        "65100",
        (("sv", 6), ("fi", 4), ("en", 4)),
        STORE_SKILLS,
        (5, 4, 4),
        "Glad och tålmodig kundservice på svenska och finska, två år i butikskassan.",
        language="sv",
    ),
)
# The recruiter's summary of the assessment, in the language it was held in.
ASSESSMENT_SUMMARY = {
    "fi": "Lämmin ja luonteva kohtaaminen, rauhallinen myös kiireessä.",
    "sv": "Varmt och naturligt bemötande, lugn även när det är bråttom.",
}
# Every day's day part (12–17) and evening, and whole weekends: a 16–21 shift any day fits.
DEMO_AVAILABILITY = sum(bit(d, p) for d in range(7) for p in (1, 2)) | sum(
    bit(d, 0) for d in (5, 6)
)


def _demo_candidate(
    person: DemoPerson, recruiter: User, skills: dict[str, Skill], summary: SeedSummary
) -> Candidate:
    """A candidate login: a complete, assessed, consenting profile that ranks on evening lists."""
    user = _user(person.email, User.Role.CANDIDATE, person.name, summary, language=person.language)
    home = place(person.postal_code)
    now = timezone.now()
    candidate, created = Candidate.objects.get_or_create(
        user=user,
        defaults={
            "first_name": person.name[0],
            "last_name": person.name[1],
            "email": user.email,
            "phone": person.phone,
            "postal_code": home.postal_code,
            "latitude": home.latitude,
            "longitude": home.longitude,
            "max_travel_km": 15,
            "works_retail": True,
            "works_office": True,
            "matching_consent": True,
            "presentation_consent": True,
            "availability": DEMO_AVAILABILITY,
            "availability_confirmed_at": now,
            "introduction": person.introduction,
            "updated_at": now,
        },
    )
    summary.add("candidates (logins)", created)
    for purpose in (ConsentPurpose.MATCHING, ConsentPurpose.PRESENTATION):
        _consent, made = Consent.objects.get_or_create(
            candidate=candidate,
            purpose=purpose,
            withdrawn_at=None,
            defaults={"version": PRIVACY_NOTICE_VERSION},
        )
        summary.add("consents", made)
    if not created:
        return candidate
    CandidateLanguage.objects.bulk_create(
        CandidateLanguage(candidate=candidate, language=lang, level=level)
        for lang, level in person.languages
    )
    CandidateSkill.objects.bulk_create(
        CandidateSkill(candidate=candidate, skill=skills[code], level=level)
        for code, level in person.skills
        if code in skills
    )
    attitude, communication, sales = person.assessment
    Assessment.objects.create(
        candidate=candidate,
        assessed_by=recruiter,
        service_attitude=attitude,
        communication=communication,
        sales=sales,
        language_checked=person.language,
        language_level_verified=dict(person.languages)[person.language],
        summary=ASSESSMENT_SUMMARY[person.language],
    )
    return candidate


def _talent_pools(recruiter: User, summary: SeedSummary) -> None:
    """The Kamppi store's pool, empty, for recruiters to fill ("Kamppi regulars")."""
    site = Site.objects.filter(name="Kotimarket Kamppi").first()
    if site is not None:
        _pool, created = TalentPool.objects.get_or_create(
            company=site.company, name="Kamppi regulars", defaults={"created_by": recruiter}
        )
        summary.add("talent pools", created)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), HELSINKI)


def _requests(
    companies: dict[str, ClientCompany], candidate: Candidate, summary: SeedSummary
) -> None:
    """A few requests in different states, found again by their notes on the next run."""
    today = timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    next_saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)
    next_monday = today + dt.timedelta(days=(7 - today.weekday()) or 7)
    last_saturday = today - dt.timedelta(days=(today.weekday() - 5) % 7 or 7)
    specs = [
        # (company, site, notes, urgency, headcount, shifts, languages, then)
        (
            "1618033-3",
            "Kotimarket Kamppi",
            "Iltavuoro kassalle, sairastapaus.",
            "urgent",
            2,
            [(_at(tomorrow, 16), _at(tomorrow, 21))],
            [("fi", 4)],
            "received",
        ),
        (
            "1618033-3",
            "Kotimarket Hervanta",
            "Lauantain kampanjapäivä, lisäkassat.",
            "planned",
            3,
            [(_at(next_saturday, 9), _at(next_saturday, 17))],
            [("fi", 4)],
            "shortlisted",
        ),
        (
            "1414213-0",
            "Linkki Pasila",
            "Kampanjaviikon puhelinruuhka.",
            "planned",
            2,
            [
                (
                    _at(next_monday + dt.timedelta(days=d), 8),
                    _at(next_monday + dt.timedelta(days=d), 16),
                )
                for d in range(3)
            ],
            [("fi", 5), ("en", 4)],
            "received",
        ),
        (
            "2236067-2",
            "Aurora Helsinki",
            "Alennusmyynnin lauantai.",
            "planned",
            1,
            [(_at(last_saturday, 10), _at(last_saturday, 18))],
            [("fi", 4), ("en", 4)],
            "filled",
        ),
        (
            "1732050-2",
            "Elektra Vantaanportti",
            "Inventaarion apu (peruttu).",
            "planned",
            2,
            [(_at(next_saturday, 10), _at(next_saturday, 18))],
            [("fi", 4)],
            "cancelled",
        ),
        (
            "2645751-9",
            "Handelsboden Vasa",
            "Kvällspass i kassan, en kollega är sjuk. Kunderna talar mest svenska.",
            "urgent",
            1,
            [(_at(tomorrow, 16), _at(tomorrow, 21))],
            [("sv", 4)],
            "received",
        ),
    ]
    for business_id, site_name, notes, urgency, headcount, shifts, languages, then in specs:
        company = companies[business_id]
        if StaffingRequest.objects.filter(company=company, notes=notes).exists():
            summary.add("staffing requests", False)
            continue
        site = company.sites.get(name=site_name)
        manager = company.memberships.select_related("user").first().user
        request = staffing_request_submit(
            by=manager,
            site=site,
            service_profile=site.service_profiles.first(),
            urgency=urgency,
            headcount=headcount,
            shifts=shifts,
            notes=notes,
            languages=[LanguageNeed(lang, level) for lang, level in languages],
        )
        summary.add("staffing requests", True)
        _advance(request, then, candidate)


def _advance(request: StaffingRequest, then: str, candidate: Candidate) -> None:
    """Move a fresh request to the state the demo shows it in."""
    if then == "shortlisted":
        shortlist_build(request_id=request.pk)
    elif then == "cancelled":
        StaffingRequest.objects.filter(pk=request.pk).update(
            status=StaffingRequest.Status.CANCELLED
        )
    elif then == "filled":
        shift: Shift = request.shifts.get()
        Placement.objects.create(
            candidate=candidate,
            request=request,
            shift=shift,
            period=DateTimeTZRange(shift.starts_at, shift.ends_at),
            blocked=DateTimeTZRange(*Placement.blocked_range(shift.starts_at, shift.ends_at)),
            status=Placement.Status.COMPLETED,
        )
        StaffingRequest.objects.filter(pk=request.pk).update(
            status=StaffingRequest.Status.FILLED, filled_at=shift.starts_at - dt.timedelta(days=2)
        )


def seed_demo(*, candidates: int = DEFAULT_CANDIDATES, seed: int = 1) -> SeedSummary:
    """Create the demo world, or complete it; safe to run any number of times.

    The generated pool is topped up to `candidates` people (never shrunk). Clients, logins and
    requests are committed first, in one transaction; the pool follows in batches, then 90 days
    of history for the pool's people (`staffing.demo.history`), once.
    """
    summary = SeedSummary()
    skills = {s.code: s for s in Skill.objects.all()}
    with transaction.atomic():
        recruiter = _user("rekry@demo.fi", User.Role.RECRUITER, ("Riikka", "Rekry"), summary)
        # A second recruiter, so that service levels per recruiter compare two people.
        colleague = _user("rekry2@demo.fi", User.Role.RECRUITER, ("Ville", "Vuoro"), summary)
        _user(
            "admin@demo.fi",
            User.Role.ADMIN,
            ("Aki", "Admin"),
            summary,
            is_staff=True,
            is_superuser=True,
        )
        companies = {spec.business_id: _company(spec, skills, summary) for spec in COMPANIES}
        candidate, *_others = (
            _demo_candidate(person, recruiter, skills, summary) for person in DEMO_PEOPLE
        )
        _talent_pools(recruiter, summary)
    missing = candidates - demo_candidate_count()
    if missing > 0:
        started = timezone.now()
        summary.generated_candidates = generate_candidates(
            count=missing, seed=seed + candidates - missing, assessed_by_id=recruiter.pk
        )
        summary.seconds_generating = (timezone.now() - started).total_seconds()
    with transaction.atomic():
        _requests(companies, candidate, summary)
    with transaction.atomic():
        for kind, n in history_seed(recruiters=[recruiter, colleague], seed=seed).items():
            summary.created[kind] = summary.created.get(kind, 0) + n
    return summary
