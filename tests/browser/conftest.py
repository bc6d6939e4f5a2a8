"""Real-browser fixtures: a real Daphne serving the test database, and Debian's chromium.

Tests that use ``live_server_url`` run with ``transactional_db`` (the server is another
process and sees only committed rows). Screenshots go to ``test-artifacts/screenshots``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.support.daphne import database_url_of_test_db
from tests.support.worker import task_worker

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("MADANG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]

pytestmark = pytest.mark.browser


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(**extra: str) -> dict[str, str]:
    """Environment for a Daphne child serving the test database with this run's secrets."""
    env = dict(os.environ)
    env.update(
        {
            "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}",
            "DJANGO_SETTINGS_MODULE": "madang.settings",
            "DATABASE_URL": database_url_of_test_db(),
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_DEBUG": "false",
            "MADANG_TEST_FAST_HASHER": "1",
        }
    )
    if not os.environ.get("REDIS_URL"):
        env.pop("REDIS_URL", None)
    env.update(extra)
    return env


def wait_http(url: str, timeout: float = 30.0, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def wait_until(page: Any, expression: str, timeout: float = 30_000) -> None:
    """Wait until a JavaScript expression is true on the page.

    Playwright's ``wait_for_function`` re-evaluates its predicate with ``eval`` inside the
    page, which Madang's Content Security Policy (no 'unsafe-eval') refuses once it has to
    poll; ``page.evaluate`` runs outside the page's policy, so it is polled from here.
    """
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(f"() => Boolean({expression})"):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout / 1000:g} s: {expression}")
        page.wait_for_timeout(50)  # polling a condition with a deadline


@pytest.fixture(scope="session")
def _daphne_server(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    port = free_port()
    log_path = ROOT / "test-artifacts" / f"daphne-{port}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "madang.serve",
                "-b",
                "127.0.0.1",
                "-p",
                str(port),
                "madang.asgi:application",
            ],
            cwd=ROOT,
            env=server_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        worker_log = ROOT / "test-artifacts" / f"worker-{port}.log"
        try:
            wait_http(url + "/", proc=proc)
            with task_worker(server_env(), worker_log):
                yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture
def live_server_url(_daphne_server: str, transactional_db: None) -> str:
    """Base URL of a real Daphne (HTTP and WebSocket) serving this test's committed data."""
    return _daphne_server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium through Playwright, for one test module.

    Playwright's sync API keeps an event loop in this thread, which makes Django's
    async-safety guard refuse ORM calls from the test body; the guard is lifted for
    the module's lifetime only, so consumer tests elsewhere keep it.
    """
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (make test installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """Open a page in a fresh context (its own cookies): ``new_page(width=390)``."""
    contexts: list[Any] = []

    def make(width: int = 390, height: int = 844, locale: str = "ko-KR") -> Any:
        context = browser.new_context(
            viewport={"width": width, "height": height},
            locale=locale,
            timezone_id="Asia/Seoul",
            extra_http_headers={"Accept-Language": "ko" if locale.startswith("ko") else "en"},
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.madang_errors = []  # type: ignore[attr-defined]
        page.on("pageerror", lambda exc: page.madang_errors.append(str(exc)))
        # Whatever the Content-Security-Policy blocks is an error of the page too.
        page.on(
            "console",
            lambda msg: (
                page.madang_errors.append(msg.text)
                if "Content Security Policy" in msg.text
                else None
            ),
        )
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def axe_check() -> Callable[..., list[dict[str, Any]]]:
    """Run axe-core on a page; fail on any serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page: Any, label: str = "") -> list[dict[str, Any]]:
        results = axe.run(page)
        violations = results.response.get("violations", [])
        bad = [v for v in violations if v.get("impact") in ("serious", "critical")]
        summary = [
            f"{v['id']} ({v['impact']}): {v['help']} -> "
            + "; ".join(n.get("target", [""])[0] if n.get("target") else "" for n in v["nodes"][:5])
            for v in bad
        ]
        assert not bad, f"axe violations on {label or page.url}:\n" + "\n".join(summary)
        return violations

    return check


@pytest.fixture
def shot() -> Callable[[Any, str], Path]:
    """Save a full-page screenshot under test-artifacts/screenshots/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def sign_in() -> Callable[[Any, str, str, str], None]:
    """Sign a page in through the real sign-in form."""

    def do(page: Any, base_url: str, username: str, password: str = "madang-pass-1234") -> None:
        page.goto(f"{base_url}/signin/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state("networkidle")

    return do
