"""A server error shows Madang's own page, in Korean or English, with no traceback."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret detail: password=hunter2")


urlpatterns = [path("broken/", broken)]


@pytest.mark.urls("tests.test_error_pages")
@pytest.mark.parametrize(
    ("language", "expected"),
    [("ko", "잠시 문제가 생겼습니다."), ("en", "Something went wrong")],
)
def test_a_server_error_page_in_the_visitors_language(
    language: str, expected: str, db: None
) -> None:
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE=language)
    response = client.get("/broken/")
    assert response.status_code == 500
    page = response.content.decode()
    assert expected in page and f'lang="{language}"' in page
    assert "hunter2" not in page and "Traceback" not in page
    assert "Content-Security-Policy" in response.headers
