"""factory_boy factories for Madang's domain, registered as fixtures in conftest."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from deliberation.agendas.models import Agenda, Disclosure, Session, Topic
from deliberation.people.models import MunicipalityProfile, Organisation, User


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"테스트시{n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    kind = Organisation.Kind.METROPOLITAN


class MinistryFactory(OrganisationFactory):
    name = "외교부"
    slug = "mofa"
    kind = Organisation.Kind.MINISTRY


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MunicipalityProfile

    organisation = factory.SubFactory(OrganisationFactory)
    exchange_partners = factory.LazyFunction(
        lambda: [{"city": "Osaka", "country": "Japan", "kind": "sister"}]
    )
    international_team_size = 3


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    nickname = factory.Sequence(lambda n: f"참여자{n}")
    role = User.Role.RESIDENT
    password = factory.PostGenerationMethodCall("set_password", "madang-pass-1234")

    @factory.post_generation
    def _save(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class ResidentFactory(UserFactory):
    role = User.Role.RESIDENT
    region = factory.SubFactory(OrganisationFactory)

    @factory.post_generation
    def consented(self, create: bool, extracted: object, **kwargs: object) -> None:
        """Residents joined through the consent form: they consented to the notice in force
        (``consented=False`` for one who never did)."""
        if create and extracted is not False:
            from deliberation.personal_data.models import ConsentRecord
            from deliberation.personal_data.selectors import notice_current
            from deliberation.personal_data.services import consent_record

            consent_record(
                user=self,  # type: ignore[arg-type]
                notice=notice_current(),
                optional=bool(self.age_band),  # type: ignore[attr-defined]
                channel=ConsentRecord.Channel.JOIN,
            )


class FacilitatorFactory(UserFactory):
    role = User.Role.FACILITATOR
    organisation = factory.SubFactory(OrganisationFactory)


class MinistryStaffFactory(UserFactory):
    role = User.Role.MINISTRY
    organisation = factory.SubFactory(MinistryFactory)
    clearance = User.Clearance.INTERNAL


class AdminFactory(UserFactory):
    role = User.Role.ADMIN
    is_staff = True
    is_superuser = True


class AgendaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agenda

    title = factory.Sequence(lambda n: f"지역 청년 해외 일자리 의제 {n}")
    description_html = "<p>지역 청년의 해외 진출을 돕는 방안</p>"
    topic = Topic.YOUTH_JOBS
    organisation = factory.SubFactory(OrganisationFactory)
    disclosure = Disclosure.PUBLIC


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    agenda = factory.SubFactory(AgendaFactory)
    title = factory.Sequence(lambda n: f"자유발언대 {n}회차")
    kind = Session.Kind.OPEN_MIC
    state = Session.State.SCHEDULED
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=1))


def join_consent(*, optional: bool = False) -> dict[str, str]:
    """The consent block's fields as the join form posts them, for the notice in force."""
    from deliberation.personal_data.selectors import notice_current

    fields = {"consent-required": "on", "consent-version": str(notice_current().version)}
    if optional:
        fields["consent-optional"] = "on"
    return fields
