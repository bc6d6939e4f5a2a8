"""Safe by default: a Content-Security-Policy on every page with nothing inline left that
would need 'unsafe-inline'; HSTS and secure cookies when served over HTTPS."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted((ROOT / "frontend" / "templates").rglob("*.html"))


def test_every_page_has_a_strict_policy(db: None, client: Client) -> None:
    for url in ("/", "/join/", "/signin/", "/admin/login/", "/no-such-page/", "/api/openapi.json"):
        policy = client.get(url).headers.get("Content-Security-Policy", "")
        parts = [p.strip().split(" ", 1) for p in policy.split(";") if p.strip()]
        directives = {name: value for name, value, *_ in ([*pair, ""] for pair in parts)}
        assert directives.get("script-src") == "'self'", (url, policy)
        assert directives.get("style-src") == "'self'", (url, policy)
        assert directives.get("frame-ancestors") == "'none'", (url, policy)
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=|\son[a-z]+=", re.I)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_carries_inline_script_or_style(template: Path) -> None:
    text = template.read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.search(text)
    assert not INLINE_STYLE.search(text)


def test_https_brings_hsts_and_secure_cookies(db: None, settings: Any) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    client = Client(HTTP_X_FORWARDED_PROTO="https")
    page = client.get("/signin/")
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert page.cookies["csrftoken"]["secure"]
    plain = Client().get("/signin/")  # not HTTPS: no HSTS (browsers ignore it there anyway)
    assert "Strict-Transport-Security" not in plain.headers


def test_the_https_switch_sets_it_all(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    import madang.settings as module

    monkeypatch.setenv("MADANG_HTTPS", "true")
    try:
        fresh = importlib.reload(module)
        assert fresh.SESSION_COOKIE_SECURE and fresh.CSRF_COOKIE_SECURE
        assert fresh.SECURE_HSTS_SECONDS >= 31536000
        assert fresh.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
    finally:
        monkeypatch.delenv("MADANG_HTTPS")
        importlib.reload(module)
