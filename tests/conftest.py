"""Shared fixtures, and the switch that turns "service missing, test skipped" into a failure.

Set AAR_REQUIRE_SERVICES=1 (CI does) and every test that needs PostgreSQL, Redis, a Celery
worker or Chromium fails when the service is missing instead of being skipped.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection

from tests.factories import PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parent.parent
REQUIRE_SERVICES = os.environ.get("AAR_REQUIRE_SERVICES", "") not in ("", "0", "false")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def service_missing(what: str) -> None:
    """Skip, or fail when the run requires every service."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} (AAR_REQUIRE_SERVICES is on, so this is a failure)", pytrace=False)
    pytest.skip(what)


def redis_answers(url: str) -> bool:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False


@pytest.fixture(autouse=True)
def _services_for_markers(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        service_missing("needs PostgreSQL: set DATABASE_URL=postgres://...")
    if request.node.get_closest_marker("redis"):
        if not settings.REDIS_URL:
            service_missing("needs Redis: set REDIS_URL=redis://...")
        if not redis_answers(settings.REDIS_URL):
            service_missing(f"Redis does not answer at {settings.REDIS_URL}")


@pytest.fixture(autouse=True)
def _eager_tasks() -> Iterator[None]:
    """Tasks run in-process unless a test asks for the real worker (`celery_worker`)."""
    from aar_project.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _requests_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test-client request ends like a real one: its on-commit callbacks run.

    Tests run inside a transaction that never commits, so without this the work a view
    enqueues after commit (emails, exports) would never happen in tests.
    """
    from django.test import Client, TestCase

    original = Client.request

    def request(self, **kwargs):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return original(self, **kwargs)

    monkeypatch.setattr(Client, "request", request)


@pytest.fixture(autouse=True)
def _no_leftover_time_zone() -> None:
    """A test's "today" is the default zone's, whatever an earlier test activated."""
    from django.utils import timezone

    timezone.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    from django.core.cache import cache

    with contextlib.suppress(Exception):
        cache.clear()


@pytest.fixture(autouse=True)
def _set_up_already(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run as on an installation that is set up (a staff user exists), so the first-run
    redirect stays out of their way; tests marked `first_run` see a fresh installation."""
    from reviews import first_run

    if request.node.get_closest_marker("first_run"):
        first_run.forget()
        monkeypatch.setattr(first_run, "_staff_exists", False)
    else:
        monkeypatch.setattr(first_run, "_staff_exists", True)


@pytest.fixture(autouse=True)
def _test_settings(tmp_path: Path, settings) -> None:
    settings.EXPORT_ROOT = tmp_path / "exports"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests run without `collectstatic`: serve static files by their plain names.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


# --- A real Celery worker -------------------------------------------------------------


def _database_url_for_worker() -> str:
    """The URL of the database the tests use right now (the test database)."""
    s = connection.settings_dict
    if connection.vendor != "postgresql":
        service_missing("a worker process needs PostgreSQL (an in-memory SQLite is not shared)")
    user = s.get("USER") or ""
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


class ChildProcess:
    """A process a test started: stopped politely, or killed without warning."""

    process: subprocess.Popen[bytes] | None = None

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


class Worker(ChildProcess):
    def __init__(self, queue: str, env: dict[str, str]) -> None:
        self.queue = queue
        self.env = env
        self.pool = ["--pool=solo", "--concurrency=1"]
        self.process: subprocess.Popen[bytes] | None = None
        self.log = Path(f"/tmp/aar-worker-{queue}.log")

    def start(self) -> None:
        self.log.touch()
        start_size = self.log.stat().st_size
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "aar_project",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "-Q",
                self.queue,
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        start = start_size
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if "ready." in self.log.read_text(errors="replace")[start:]:
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError(
            "the Celery worker did not start:\n" + self.log.read_text(errors="replace")[-3000:]
        )


# --- A real ASGI web process (the push stream) -------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The static files as `make web` serves them (hashed names, for DEBUG=0)."""
    root = tmp_path_factory.mktemp("static")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "0", "SECRET_KEY": "collect", "STATIC_ROOT": str(root)},
        check=True,
    )
    return root


class WebServer(ChildProcess):
    """uvicorn serving the app (pages, polls and the push stream) from the test database."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env["SITE_URL"] = self.url
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        import urllib.request

        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "aar_project.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--lifespan",
                "off",
                "--no-access-log",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            with contextlib.suppress(OSError):
                if urllib.request.urlopen(self.url + "/healthz", timeout=2).status == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError("the web process did not start:\n" + self.log.read_text()[-3000:])

    def restart(self) -> None:
        """Killed without warning and started again on the same address."""
        self.kill()
        self.start()


@pytest.fixture
def start_web(transactional_db, settings, collected_static, tmp_path):
    """Starts real ASGI web processes on the test database, on a push channel of their own
    (this process publishes there too); on settings.REDIS_URL unless told another Redis."""
    if not settings.REDIS_URL or not redis_answers(settings.REDIS_URL):
        service_missing("the push stream needs Redis: set REDIS_URL=redis://...")
    channel = f"aar:test-live:{uuid.uuid4().hex[:8]}"
    settings.PUSH_CHANNEL = channel
    servers: list[WebServer] = []
    from reviews import push

    def start(redis_url: str | None = None, **extra: str) -> WebServer:
        env = {
            **os.environ,
            "DEBUG": "0",
            "DATABASE_URL": _database_url_for_worker(),
            "REDIS_URL": redis_url or settings.REDIS_URL,
            "PUSH_CHANNEL": channel,
            "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "STATIC_ROOT": str(collected_static),
            "EMAIL_URL": "smtp://127.0.0.1:1",
            "DB_POOL_SIZE": "8",
            **extra,
        }
        server = WebServer(env, tmp_path / f"web-{len(servers)}.log")
        servers.append(server)
        server.start()
        return server

    push.reset_client()
    # The web processes read the flag from the database: an installation that is set up.
    if not get_user_model()._default_manager.filter(is_staff=True).exists():
        UserFactory(email="staff-of-the-web-tests@example.com", is_staff=True)
    try:
        yield start
    finally:
        for server in servers:
            server.stop()
        push.reset_client()


@pytest.fixture
def web_server(start_web) -> WebServer:
    return start_web()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[object]:
    """A redis-server of the test's own, that it can stop and start (tests.private_redis)."""
    from tests.private_redis import PrivateRedis

    server = PrivateRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp_sink() -> Iterator[object]:
    from tests.smtp_sink import start_sink

    sink, server = start_sink()
    yield sink
    server.shutdown()
    server.server_close()


@pytest.fixture
def celery_worker(transactional_db, settings) -> Iterator[Worker]:
    """A real worker process on REDIS_URL, on a queue of its own, reading the test database."""
    if not settings.REDIS_URL or not redis_answers(settings.REDIS_URL):
        service_missing("a Celery worker needs Redis: set REDIS_URL=redis://...")
    queue = f"aar-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url_for_worker(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_QUEUE": queue,
        "EMAIL_URL": "smtp://127.0.0.1:1",  # replaced by tests that read mail
        "SECRET_KEY": "worker-test-key",
    }
    # Tasks sent from this process go to the worker's queue, through the real broker.
    from aar_project.celery import app

    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    worker = Worker(queue, env)
    try:
        yield worker
    finally:
        worker.stop()
        app.conf.task_always_eager, app.conf.task_default_queue = previous


# --- A browser ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).exists()):
        service_missing(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.csp_violations = []  # type: ignore[attr-defined]
    tab.on(
        "console",
        lambda m: "Content Security Policy" in m.text and tab.csp_violations.append(m.text),
    )
    yield tab
    close_quietly(tab)


def close_quietly(tab) -> None:
    """Let the page's last requests (autosaves, polls) finish before the database is flushed."""
    with contextlib.suppress(Exception):  # a page that never goes idle is closed anyway
        tab.wait_for_load_state("networkidle", timeout=5000)
    tab.context.close()
    time.sleep(0.3)


def sign_in_with_password(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email", exact=True).first.fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


# --- Personas of one review -----------------------------------------------------------


class Cast:
    """A review with one person in every role, and an outsider."""

    def __init__(self) -> None:
        from tests.factories import AccountFactory, ParticipantFactory, ReviewFactory, TeamFactory

        self.owner = UserFactory(email="owner@example.com")
        self.team = TeamFactory(delivery_owner=self.owner)
        self.facilitator = UserFactory(email="facilitator@example.com")
        self.scribe = UserFactory(email="scribe@example.com")
        self.review = ReviewFactory(
            team=self.team, facilitator=self.facilitator, scribe=self.scribe
        )
        self.participant_row = ParticipantFactory(
            review=self.review, user=UserFactory(email="participant@example.com")
        )
        self.other_row = ParticipantFactory(
            review=self.review, user=UserFactory(email="other@example.com")
        )
        self.observer_row = ParticipantFactory(
            review=self.review, user=UserFactory(email="observer@example.com"), role="observer"
        )
        self.participant = self.participant_row.user
        self.observer = self.observer_row.user
        self.member = UserFactory(email="member@example.com")
        self.team.members.add(self.member)
        self.outsider = UserFactory(email="outsider@example.com")
        self.staff = UserFactory(email="staff@example.com", is_staff=True)
        self.secret = "SEALED-ACCOUNT-TEXT-of-the-other-participant"
        self.other_account = AccountFactory(participant=self.other_row, body=self.secret)
        self.own_account = AccountFactory(participant=self.participant_row, body="my own words")

    def people(self) -> dict[str, object]:
        return {
            "facilitator": self.facilitator,
            "scribe": self.scribe,
            "participant": self.participant,
            "observer": self.observer,
            "delivery_owner": self.owner,
            "member": self.member,
            "staff": self.staff,
            "outsider": self.outsider,
        }


@pytest.fixture
def cast(db) -> Cast:
    return Cast()


# --- A real OpenID Connect provider (tests/oidc: the npm package oidc-provider on Node) ----

OIDC_ACCOUNTS = {
    "ana": {
        "sub": "sub-ana",
        "email": "ana@example.com",
        "email_verified": True,
        "given_name": "Ana",
        "family_name": "Lima",
    },
    "newcomer": {
        "sub": "sub-new",
        "email": "new.person@example.com",
        "email_verified": True,
        "given_name": "Nia",
        "family_name": "Newton",
    },
    "outsider": {"sub": "sub-eve", "email": "eve@elsewhere.test", "email_verified": True},
    "unverified": {"sub": "sub-unv", "email": "unverified@example.com", "email_verified": False},
    # Ana's account at the provider with its address changed to Bo's.
    "ana-moved": {"sub": "sub-ana", "email": "bo@example.com", "email_verified": True},
    # Someone else at the provider who now has Ana's address.
    "impostor": {"sub": "sub-imp", "email": "ana@example.com", "email_verified": True},
}


def start_oidc_provider(base_urls: list[str], log: Path) -> object:
    from tests.oidc.server import Provider, missing

    why = missing()
    if why:
        service_missing(why)
    provider = Provider(
        port=free_port(),
        client={
            "redirect_uris": [f"{base}/accounts/sso/callback/" for base in base_urls],
            "post_logout_redirect_uris": [f"{base}/accounts/login/" for base in base_urls],
        },
        accounts=OIDC_ACCOUNTS,
        log=log,
    )
    provider.start()
    return provider


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """The provider, for the test client (whose address is http://testserver)."""
    provider = start_oidc_provider(
        ["http://testserver"], tmp_path_factory.mktemp("oidc") / "provider.log"
    )
    yield provider
    provider.stop()  # type: ignore[attr-defined]


def use_oidc_provider(settings, provider, **extra: object) -> None:
    """Settings as OIDC_ISSUER and its client in the environment would give them."""
    from reviews import sso
    from tests.oidc.server import CLIENT_ID, CLIENT_SECRET

    settings.OIDC_ENABLED = True
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_CLIENT_ID = settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_PROVIDER_NAME = "Acme SSO"
    settings.OIDC_ALLOWED_DOMAINS = ["example.com"]
    for key, value in extra.items():
        setattr(settings, key, value)
    sso.forget_discovery()
