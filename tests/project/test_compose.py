"""docker-compose.yml, read (Docker does not run here): services, order, health, entry points."""

from __future__ import annotations

import importlib

import yaml

from tests.conftest import ROOT

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_it_runs_every_service_the_product_needs():
    assert set(SERVICES) == {"db", "redis", "migrate", "web", "worker", "beat", "mail"}
    assert SERVICES["db"]["image"].startswith("postgres:16")
    assert "pgdata" in COMPOSE["volumes"]
    assert any(v.startswith("pgdata:") for v in SERVICES["db"]["volumes"])


def test_the_database_redis_and_web_have_health_checks():
    for name in ("db", "redis", "web"):
        assert SERVICES[name]["healthcheck"]["test"], name
    assert "/healthz" in " ".join(SERVICES["web"]["healthcheck"]["test"])


def test_web_waits_for_a_healthy_database_and_a_finished_migrate():
    depends = SERVICES["web"]["depends_on"]
    assert depends["db"]["condition"] == "service_healthy"
    assert depends["redis"]["condition"] == "service_healthy"
    assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert SERVICES["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert SERVICES["migrate"]["restart"] == "no"
    assert SERVICES["migrate"]["command"][-2:] == ["migrate", "--no-input"]
    for name in ("worker", "beat"):
        assert (
            SERVICES[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        )


def test_the_web_command_names_the_real_asgi_application():
    command = SERVICES["web"]["command"]
    assert command[0] == "gunicorn"
    module, attribute = command[1].split(":")
    assert callable(getattr(importlib.import_module(module), attribute))
    assert (ROOT / command[command.index("--config") + 1]).exists()


def test_worker_and_beat_name_the_celery_app_and_beat_stays_one():
    for name, role in (("worker", "worker"), ("beat", "beat")):
        command = SERVICES[name]["command"]
        assert command[:4] == ["celery", "-A", "aar_project", role]
    assert importlib.import_module("aar_project").celery_app.main == "aar_project"
    assert SERVICES["beat"]["deploy"]["replicas"] == 1


def test_the_app_containers_get_their_configuration_and_the_mail_catcher():
    environment = SERVICES["web"]["environment"]
    assert (
        environment["DATABASE_URL"].startswith("postgres://")
        and "@db:5432/" in environment["DATABASE_URL"]
    )
    assert environment["REDIS_URL"] == "redis://redis:6379/0"
    assert "mail:1025" in environment["EMAIL_URL"]
    assert (
        "SECRET_KEY" in environment and ":?" in environment["SECRET_KEY"]
    )  # refuses to start without it
    assert "8025:8025" in SERVICES["mail"]["ports"]


def test_every_variable_of_the_settings_is_in_env_example():
    example = (ROOT / ".env.example").read_text()
    for name in (
        "SECRET_KEY",
        "SECRET_KEY_FILE",
        "SITE_URL",
        "ALLOWED_HOSTS",
        "USE_X_FORWARDED_PROTO",
        "EMAIL_URL",
        "TIME_ZONE",
        "REMINDER_HOUR",
        "DATABASE_URL",
        "REDIS_URL",
    ):
        assert name in example, name


def test_the_dockerfile_runs_as_a_non_root_user_and_collects_static_files():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "USER aar" in dockerfile
    assert "--require-hashes -r requirements/base.txt" in dockerfile
    assert "collectstatic" in dockerfile
    assert 'CMD ["gunicorn", "aar_project.asgi:application"' in dockerfile
