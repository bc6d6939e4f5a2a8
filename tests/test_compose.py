"""docker-compose.yml (no Docker engine here): services, health checks, scaling, variables."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
VARIABLES = {
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_DEBUG",
}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_services_are_postgres_redis_and_daphne(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"db", "redis", "web"} <= set(services)
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    web = services["web"]
    assert web["build"] == "."
    assert (ROOT / "Dockerfile").exists()
    assert "daphne" in (ROOT / "Dockerfile").read_text(encoding="utf-8")


def test_every_long_running_service_has_a_health_check(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        if service.get("restart") == "no":
            continue  # one-off jobs (migrate) end instead of staying healthy
        check = service.get("healthcheck")
        assert check and check["test"], name
        assert check["test"][0] in {"CMD", "CMD-SHELL"}


def test_web_can_be_scaled_to_several_replicas(compose: dict[str, Any]) -> None:
    web = compose["services"]["web"]
    # A fixed host port would make a second replica fail to bind.
    assert "ports" not in web
    assert web.get("deploy", {}).get("replicas", 1) >= 2
    assert "container_name" not in web
    proxy = compose["services"]["proxy"]
    assert proxy["ports"] and "./Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    assert "dynamic a web 8000" in (ROOT / "Caddyfile").read_text(encoding="utf-8")


def test_web_waits_for_healthy_database_and_redis(compose: dict[str, Any]) -> None:
    depends = compose["services"]["web"]["depends_on"]
    assert depends["db"]["condition"] == "service_healthy"
    assert depends["redis"]["condition"] == "service_healthy"


def test_the_environment_names_every_setting(compose: dict[str, Any]) -> None:
    env = compose["services"]["web"]["environment"]
    assert VARIABLES <= set(env)
    assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis:6379")
    assert "*" not in env["DJANGO_ALLOWED_HOSTS"].split(",")
    # The secret key is never baked in: compose refuses to start without one.
    assert ":?" in env["DJANGO_SECRET_KEY"]


def test_env_example_documents_every_variable_compose_and_settings_read(
    compose: dict[str, Any],
) -> None:
    documented = set(
        re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M)
    )
    assert set(compose["services"]["web"]["environment"]) <= documented
    settings_source = (ROOT / "platform" / "madang" / "settings.py").read_text()
    read = set(re.findall(r'env(?:\(\))?\.\w+\(\s*"([A-Z][A-Z0-9_]+)"', settings_source))
    assert read and read <= documented, read - documented


def test_demo_data_and_its_published_password_only_with_madang_demo(
    compose: dict[str, Any],
) -> None:
    migrate = compose["services"]["migrate"]
    command = " ".join(migrate["command"])
    assert "seed_demo" in command
    assert 'if [ "$$MADANG_DEMO" = "1" ]; then python manage.py seed_demo; fi' in command
    assert migrate["environment"]["MADANG_DEMO"] == "${MADANG_DEMO:-0}"


def test_the_task_worker_is_its_own_service(compose: dict[str, Any]) -> None:
    worker = compose["services"]["worker"]
    assert worker["command"][:3] == ["python", "manage.py", "task_worker"]
    assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert worker["environment"] == compose["services"]["web"]["environment"]


def test_the_proxy_has_header_and_body_timeouts() -> None:
    caddyfile = (ROOT / "Caddyfile").read_text(encoding="utf-8")
    assert re.search(r"read_header\s+\d+s", caddyfile)
    assert re.search(r"read_body\s+\d+s", caddyfile)
    assert re.search(r"max_size\s+\d+MB", caddyfile)


def test_the_image_is_built_in_stages_from_a_clean_context() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    stages = re.findall(r"^FROM \S+ AS (\w+)", dockerfile, re.M)
    assert stages == ["build", "runtime"]
    runtime = dockerfile.split("AS runtime", 1)[1]
    assert "COPY --from=build /opt/venv /opt/venv" in runtime
    assert "gettext" not in runtime  # build tools stay in the build stage
    assert "USER madang" in runtime
    ignored = set((ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".git", ".venv", "data", ".env", "test-artifacts"} <= ignored
