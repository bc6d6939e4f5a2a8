"""Programmes of two municipalities and the ministry, and the people around them."""

from __future__ import annotations

import importlib
from typing import Any

import factory
import pytest

from deliberation.agendas.models import Disclosure
from deliberation.people.models import Organisation, User
from deliberation.programmes import services
from deliberation.programmes.models import Programme, ProgrammeKind
from tests import factories


def kind(slug: str) -> ProgrammeKind:
    """A default programme kind (recreated when a transactional test flushed the seeded ones)."""
    defaults = importlib.import_module(
        "deliberation.programmes.migrations.0002_default_programme_kinds"
    ).KINDS
    for order, (kind_slug, name, name_en) in enumerate(defaults, start=1):
        ProgrammeKind.objects.get_or_create(
            slug=kind_slug, defaults={"name": name, "name_en": name_en, "order": order * 10}
        )
    return ProgrammeKind.objects.get(slug=slug)


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        skip_postgeneration_save = True

    organisation = factory.SubFactory(factories.OrganisationFactory)
    kind = factory.LazyFunction(lambda: kind("participation"))
    title = factory.Sequence(lambda n: f"국민참여 교류 사업 {n}")
    description = "주민이 참여하는 국제교류 사업"
    disclosure = Disclosure.PUBLIC

    @factory.post_generation
    def analysed(obj: Programme, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            services.programme_analyse([obj])
            obj.save()


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    """부산 (with 해운대구 below it), 전북, the ministry, and one person of each role."""
    busan = factories.OrganisationFactory(name="부산광역시", slug="busan")
    haeundae = factories.OrganisationFactory(
        name="해운대구", slug="haeundae", kind=Organisation.Kind.LOCAL, parent=busan
    )
    jeonbuk = factories.OrganisationFactory(name="전북특별자치도", slug="jeonbuk")
    mofa = factories.MinistryFactory()
    return {
        "busan": busan,
        "haeundae": haeundae,
        "jeonbuk": jeonbuk,
        "mofa": mofa,
        "busan_host": factories.FacilitatorFactory(organisation=busan),
        "haeundae_host": factories.FacilitatorFactory(organisation=haeundae),
        "jeonbuk_host": factories.FacilitatorFactory(organisation=jeonbuk),
        "resident": factories.ResidentFactory(region=busan),
        "ministry_public": factories.MinistryStaffFactory(clearance=User.Clearance.PUBLIC),
        "ministry_internal": factories.MinistryStaffFactory(clearance=User.Clearance.INTERNAL),
        "ministry_restricted": factories.MinistryStaffFactory(clearance=User.Clearance.RESTRICTED),
        "admin": factories.AdminFactory(),
    }
