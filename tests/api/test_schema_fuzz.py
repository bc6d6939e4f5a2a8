"""Property-based test of the API against its generated OpenAPI document (schemathesis):
no server errors, and every answer matches the document."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from deliberation.digests.models import Digest
from deliberation.live.models import Statement
from tests.programmes.conftest import ProgrammeFactory


@pytest.fixture
def api_schema(
    db: Any,
    make_digest: Any,
    ministry_staff_factory: Any,
    resident_factory: Any,
    issue: Any,
) -> Iterator[Any]:
    """The served document, with data behind it and a write token for a ministry account."""
    digests = [make_digest(disclosure=level) for level in ("public", "internal", "restricted")]
    make_digest(Digest.Status.DRAFT)
    session = digests[0].session
    Statement.objects.create(
        session=session, author=resident_factory(), client_msg_id="f", text="발언", seq=1
    )
    for level in ("public", "internal", "restricted"):
        ProgrammeFactory(disclosure=level, title=f"청년 해외 일자리 {level}")
    raw = issue(ministry_staff_factory(clearance="internal"), "write")
    # As Django's test client does: the test's connection (and transaction) stays open.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    schema.config.headers = {"Authorization": f"Bearer {raw}"}
    yield schema
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_api_answers_as_documented(api_schema: Any) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 8
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=20,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def answers_as_documented(case: Any) -> None:
            case.call_and_validate(checks=CHECKS)

        answers_as_documented()
