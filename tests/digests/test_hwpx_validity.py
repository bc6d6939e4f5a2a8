"""The HWPX export passes python-hwpx's own validators (package structure, OWPML schema)."""

from __future__ import annotations

from typing import Any

import pytest
from hwpx.tools.package_validator import validate_package
from hwpx.tools.validator import validate_document

from deliberation.digests import exports, selectors
from deliberation.digests.models import Digest
from tests.digests.test_exports import hostile, hostile_content  # noqa: F401

pytestmark = pytest.mark.django_db


def _hwpx(digest: Digest) -> bytes:
    return exports.to_hwpx(digest, selectors.answer_threads(digest))


@pytest.mark.parametrize("kind", ["plain", "hostile"])
def test_generated_hwpx_validates(kind: str, make_digest: Any, request: Any) -> None:
    digest = request.getfixturevalue("hostile") if kind == "hostile" else make_digest()
    data = _hwpx(digest)
    package = validate_package(data)
    assert package.ok, [str(i) for i in package.errors]
    document = validate_document(data)
    assert document.ok, [str(i) for i in document.errors]
    assert "section" in " ".join(document.validated_parts).lower()
