"""API fixtures: the digests' fixtures (jobs inline, digests at any stage), and tokens."""

from __future__ import annotations

from typing import Any

import pytest

from deliberation.api import services
from tests.digests.conftest import content_builder, inline_jobs, make_digest  # noqa: F401


@pytest.fixture
def issue(admin_factory: Any) -> Any:
    """``issue(account, scope="read")`` -> the token's secret, issued by an administrator."""
    admin = admin_factory(is_staff=True, is_superuser=True)

    def make(account: Any, scope: str = "read") -> str:
        _, raw = services.token_issue(
            actor=admin,
            organisation=account.organisation,
            account=account,
            name="시스템",
            scope=scope,
        )
        return raw

    return make


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
