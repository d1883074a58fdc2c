"""factory_boy factories for every domain model."""

from __future__ import annotations

import datetime as dt
import time

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone
from psycopg2.extras import DateTimeTZRange

from candidates.availability import FULL_WEEK
from candidates.models import (
    Assessment,
    Candidate,
    CandidateLanguage,
    CandidateSkill,
    DateOff,
    Skill,
)
from clients.models import (
    CandidateMark,
    ClientCompany,
    ClientMembership,
    ProfileLanguage,
    ServiceProfile,
    Site,
    TypicalShift,
)
from staffing.models import (
    OutboundEmail,
    Placement,
    RequestLanguage,
    Shift,
    Shortlist,
    ShortlistEntry,
    StaffingRequest,
    TaskFailure,
    User,
    WorkerHeartbeat,
)

PASSWORD = "test-pass-123"
# Every staff user made here has this TOTP secret (staff must have a second factor:
# StaffMFARequiredMiddleware); `totp_code()` gives the code of the moment.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret: str = TOTP_SECRET, *, at: float | None = None) -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    counter = int(time.time() if at is None else at) // 30
    return format_hotp_value(hotp_value(secret, counter))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.fi")
    role = User.Role.CANDIDATE
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):
        """A verified address, as a real account has (logins require one); False: none."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)

    @factory.post_generation
    def second_factor(obj, create, extracted, **kwargs):
        """Staff get a TOTP authenticator (False: none, to test forced enrolment)."""
        staff = obj.role in (User.Role.RECRUITER, User.Role.ADMIN) or obj.is_staff
        if create and staff and extracted is not False:
            from allauth.mfa.totp.internal.auth import TOTP

            TOTP.activate(obj, TOTP_SECRET)


class RecruiterFactory(UserFactory):
    role = User.Role.RECRUITER


class AgencyAdminFactory(UserFactory):
    role = User.Role.ADMIN


class ClientCompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientCompany

    name = factory.Sequence(lambda n: f"Client {n} Oy")
    business_id = factory.Sequence(lambda n: f"{1000000 + n}-{n % 10}")


class ClientManagerFactory(UserFactory):
    role = User.Role.CLIENT_MANAGER

    @factory.post_generation
    def company(obj, create, extracted, **kwargs):
        if create:
            ClientMembership.objects.create(user=obj, company=extracted or ClientCompanyFactory())


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    company = factory.SubFactory(ClientCompanyFactory)
    name = factory.Sequence(lambda n: f"Store {n}")
    street_address = "Mannerheimintie 1"
    postal_code = "00100"
    city = "Helsinki"
    latitude = 60.1699
    longitude = 24.9384


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"skill-{n}")
    name_en = factory.LazyAttribute(lambda o: o.code.replace("-", " ").title())
    name_fi = factory.LazyAttribute(lambda o: o.code)


class ServiceProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceProfile

    site = factory.SubFactory(SiteFactory)
    company = factory.SelfAttribute("site.company")
    name = factory.Sequence(lambda n: f"Profile {n}")
    role_type = "retail"


class ProfileLanguageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProfileLanguage

    profile = factory.SubFactory(ServiceProfileFactory)
    language = "fi"
    level = 4


class TypicalShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TypicalShift

    profile = factory.SubFactory(ServiceProfileFactory)
    weekday = 5
    start_time = dt.time(10)
    end_time = dt.time(18)


class CandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Candidate

    first_name = factory.Faker("first_name", locale="fi_FI")
    last_name = factory.Faker("last_name", locale="fi_FI")
    email = factory.Sequence(lambda n: f"candidate{n}@example.fi")
    phone = "+358401234567"
    postal_code = "00100"
    latitude = 60.1699
    longitude = 24.9384
    max_travel_km = 25
    works_retail = True
    works_office = True
    matching_consent = True
    presentation_consent = True
    availability = FULL_WEEK
    availability_confirmed_at = factory.LazyFunction(timezone.now)


class CandidateUserFactory(UserFactory):
    """A candidate who can log in, with a profile."""

    role = User.Role.CANDIDATE

    @factory.post_generation
    def profile(obj, create, extracted, **kwargs):
        if create:
            CandidateFactory(user=obj, email=obj.email, **kwargs)


class CandidateLanguageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CandidateLanguage

    candidate = factory.SubFactory(CandidateFactory)
    language = "fi"
    level = 6


class CandidateSkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CandidateSkill

    candidate = factory.SubFactory(CandidateFactory)
    skill = factory.SubFactory(SkillFactory)
    level = 2


class DateOffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DateOff

    candidate = factory.SubFactory(CandidateFactory)
    date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=1))


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    candidate = factory.SubFactory(CandidateFactory)
    service_attitude = 4
    communication = 4
    sales = 3


class CandidateMarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CandidateMark

    company = factory.SubFactory(ClientCompanyFactory)
    candidate = factory.SubFactory(CandidateFactory)
    kind = CandidateMark.Kind.FAVOURITE


def _tomorrow_at(hour: int) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


class StaffingRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffingRequest

    service_profile = factory.SubFactory(ServiceProfileFactory)
    site = factory.SelfAttribute("service_profile.site")
    company = factory.SelfAttribute("service_profile.company")
    role_type = factory.SelfAttribute("service_profile.role_type")
    headcount = 1


class ShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shift

    request = factory.SubFactory(StaffingRequestFactory)
    starts_at = factory.LazyFunction(lambda: _tomorrow_at(16))
    ends_at = factory.LazyFunction(lambda: _tomorrow_at(21))


class RequestLanguageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequestLanguage

    request = factory.SubFactory(StaffingRequestFactory)
    language = "fi"
    level = 4


class ShortlistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shortlist

    request = factory.SubFactory(StaffingRequestFactory)
    rules_version = "test"


class ShortlistEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShortlistEntry

    shortlist = factory.SubFactory(ShortlistFactory)
    candidate = factory.SubFactory(CandidateFactory)
    rank = factory.Sequence(lambda n: n + 1)
    score = 50.0
    explanation = factory.LazyFunction(dict)


class PlacementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Placement

    shift = factory.SubFactory(ShiftFactory)
    request = factory.SelfAttribute("shift.request")
    candidate = factory.SubFactory(CandidateFactory)
    period = factory.LazyAttribute(lambda o: DateTimeTZRange(o.shift.starts_at, o.shift.ends_at))
    blocked = factory.LazyAttribute(
        lambda o: DateTimeTZRange(*Placement.blocked_range(o.shift.starts_at, o.shift.ends_at))
    )


class OutboundEmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboundEmail

    key = factory.Sequence(lambda n: f"test:{n}")
    to = factory.Sequence(lambda n: f"person{n}@example.fi")
    language = "fi"
    subject = "Test"
    body = "Test"


class WorkerHeartbeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkerHeartbeat

    hostname = "celery@test-host"
    pid = factory.Sequence(lambda n: 10_000 + n)
    started_at = factory.LazyFunction(timezone.now)
    last_seen = factory.LazyFunction(timezone.now)
    pool_ready = True


class TaskFailureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaskFailure

    task_name = "staffing.tasks.match_request"
    arguments = "12"
    exception_type = "TypeError"
    message = "'int' object is not iterable"
    failed_at = factory.LazyFunction(timezone.now)


class TalentPoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "staffing.TalentPool"

    company = factory.SubFactory(ClientCompanyFactory)
    name = factory.Sequence(lambda n: f"Pool {n}")
