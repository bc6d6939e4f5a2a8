"""The region list: every 시·군·구 under its 시·도, same-named districts told apart."""

from __future__ import annotations

import pytest
from django.test import Client

from deliberation.people.forms import QuickJoinForm
from deliberation.people.models import Organisation, User
from deliberation.people.regions import REGIONS, regions_load
from tests.factories import OrganisationFactory, join_consent

pytestmark = pytest.mark.django_db


def test_loading_twice_creates_nothing_twice_and_keeps_stored_districts() -> None:
    jeonbuk = Organisation.objects.create(
        name="전북특별자치도", slug="jeonbuk", kind=Organisation.Kind.METROPOLITAN
    )
    jeonju = Organisation.objects.create(
        name="전주시", slug="jeonju", kind=Organisation.Kind.LOCAL, parent=jeonbuk
    )
    regions_load()
    count = Organisation.objects.count()
    regions_load()
    assert Organisation.objects.count() == count
    assert count == len(REGIONS) + sum(len(d) for _n, _e, d in REGIONS.values())
    # The district residents already chose keeps its row and slug.
    jeonju.refresh_from_db()
    assert (jeonju.slug, jeonju.name_en) == ("jeonju", "Jeonju")
    assert Organisation.objects.filter(name="전주시").count() == 1


def test_same_named_districts_are_grouped_and_unambiguous() -> None:
    regions_load()
    choices = QuickJoinForm().fields["region"].widget.choices
    groups = {label: options for label, options in choices[1:]}
    assert "부산광역시" in groups and "서울특별시" in groups
    busan_labels = [label for _pk, label in groups["부산광역시"]]
    assert busan_labels[0] == "부산광역시 전체"
    assert "부산광역시 중구" in busan_labels
    goseong = [label for opts in groups.values() for _pk, label in opts if label.endswith("고성군")]
    assert sorted(goseong) == ["강원특별자치도 고성군", "경상남도 고성군"]
    # Every option label is different, so a chosen region is never ambiguous.
    labels = [label for opts in groups.values() for _pk, label in opts]
    assert len(labels) == len(set(labels))


def test_quick_join_stores_the_district_chosen_by_its_province(client: Client) -> None:
    regions_load()
    daegu_jung = Organisation.objects.get(parent__slug="daegu", name="중구")
    response = client.post(
        "/join/",
        {"nickname": "대구주민", "region": daegu_jung.pk, "next": "/", **join_consent()},
    )
    assert response.status_code == 302
    person = User.objects.get(nickname="대구주민")
    assert person.region == daegu_jung
    page = client.get("/join/").content.decode()
    assert "20자까지 쓸 수 있습니다" in page and 'maxlength="20"' in page
    assert "대구광역시 중구" in page  # the header names the district with its province


def test_a_second_top_level_organisation_of_the_same_name_is_refused() -> None:
    from django.db import IntegrityError, transaction

    OrganisationFactory(name="외교부 테스트", parent=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="외교부 테스트", slug="dup", kind="ministry")
