"""Start-up refuses bad configuration, naming the variable; production settings pass --deploy."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-secret-key-with-enough-entropy-1234567890",
    "ALLOWED_HOSTS": "aar.example.com",
    "SITE_URL": "https://aar.example.com",
    "DATABASE_URL": "sqlite:////tmp/aar-settings-test.sqlite3",
    "USE_X_FORWARDED_PROTO": "1",
}


def run_django(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    dropped = {
        "SECRET_KEY",
        "DEBUG",
        "DATABASE_URL",
        "REDIS_URL",
        "SITE_URL",
        "ALLOWED_HOSTS",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    }
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_without_secret_key_refuse_to_start():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = run_django(env, "check")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_a_malformed_value_stops_start_up_naming_the_variable():
    result = run_django({**PRODUCTION, "DEBUG": "sometimes"}, "check")
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_a_malformed_database_url_names_the_variable():
    result = run_django({**PRODUCTION, "DATABASE_URL": "nonsense"}, "check")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_a_redis_url_of_another_scheme_is_refused():
    result = run_django({**PRODUCTION, "REDIS_URL": "http://localhost:6379"}, "check")
    assert result.returncode != 0
    assert "REDIS_URL" in result.stderr


def test_secret_key_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("a-long-random-production-secret-key-read-from-a-file-0987654321\n")
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = run_django(
        {**env, "SECRET_KEY_FILE": str(secret)}, "check", "--deploy", "--fail-level", "WARNING"
    )
    assert result.returncode == 0, result.stderr


def test_check_deploy_passes_with_production_values():
    result = run_django(PRODUCTION, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_issuer_without_its_client_refuses_to_start():
    result = run_django({**PRODUCTION, "OIDC_ISSUER": "https://id.example.com"}, "check")
    assert result.returncode != 0
    assert "set OIDC_CLIENT_ID and OIDC_CLIENT_SECRET" in result.stderr


def test_oidc_only_without_an_issuer_refuses_to_start():
    result = run_django({**PRODUCTION, "OIDC_ONLY": "1"}, "check")
    assert result.returncode != 0
    assert "OIDC_ONLY=1 needs OIDC_ISSUER" in result.stderr


def test_an_unreadable_client_secret_file_is_named():
    env = {
        **PRODUCTION,
        "OIDC_ISSUER": "https://id.example.com",
        "OIDC_CLIENT_ID": "aar",
        "OIDC_CLIENT_SECRET_FILE": "/nonexistent/secret",
    }
    result = run_django(env, "check")
    assert result.returncode != 0
    assert "OIDC_CLIENT_SECRET_FILE cannot be read" in result.stderr


def test_a_configured_provider_passes_the_deploy_check_without_asking_it(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    env = {
        **PRODUCTION,
        "OIDC_ISSUER": "https://id.invalid",  # never resolved: start-up does not ask it
        "OIDC_CLIENT_ID": "aar",
        "OIDC_CLIENT_SECRET_FILE": str(secret),
        "OIDC_ALLOWED_DOMAINS": "example.com, Example.org",
        "OIDC_ONLY": "1",
    }
    result = run_django(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
