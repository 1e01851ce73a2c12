"""First run: the one-time setup page and the redirect to it."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews import first_run
from reviews.models import Organisation, Team
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.first_run]

GOOD = {
    "email": "Ada@Example.com",
    "name": "Ada Lovelace",
    "password": "analytical-engine-1843",
    "password_again": "analytical-engine-1843",
    "team_name": "Payments",
    "time_zone": "Europe/London",
}


def test_every_page_redirects_to_setup_while_no_staff_user_exists(client):
    UserFactory()  # people without staff rights do not count
    for path in ("/", "/accounts/login/", "/dashboard/", "/admin/", "/reviews/nope/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url == "/setup/"


def test_health_and_static_files_answer_before_setup(client):
    assert client.get("/healthz").status_code in (200, 503)
    assert client.get("/static/css/aar.css").status_code != 302


def test_setup_from_this_machine_creates_the_admin_and_the_first_team(client):
    response = client.post("/setup/", GOOD)
    assert response.status_code == 302
    admin = get_user_model().objects.get(email="ada@example.com")
    assert admin.is_staff and admin.is_superuser
    assert (admin.first_name, admin.last_name) == ("Ada", "Lovelace")
    assert admin.check_password("analytical-engine-1843")
    team = Team.objects.get()
    assert (team.name, team.slug, team.delivery_owner) == ("Payments", "payments", admin)
    assert admin in team.members.all()
    assert Organisation.objects.current().time_zone == "Europe/London"
    assert client.get("/").status_code == 200  # signed in as the admin, past the redirect


def test_setup_answers_404_once_done(client):
    client.post("/setup/", GOOD)
    client.logout()
    assert client.get("/setup/").status_code == 404
    assert client.post("/setup/", {**GOOD, "email": "eve@example.com"}).status_code == 404
    assert get_user_model().objects.filter(is_staff=True).count() == 1


def test_setup_is_refused_to_another_machine_without_the_token(client):
    response = client.get("/setup/", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 403
    assert b"setup token" in response.content
    response = client.post("/setup/", GOOD, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 403
    assert not get_user_model().objects.exists()


def test_a_loopback_address_behind_an_unknown_proxy_is_not_this_machine(client):
    response = client.get("/setup/", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.status_code == 403


def test_a_wrong_token_is_refused_and_said_so(client):
    response = client.get("/setup/?token=guess", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 403
    assert b"not the right one" in response.content


def test_the_logged_token_opens_setup_from_anywhere(client, caplog):
    with caplog.at_level(logging.WARNING, logger="aar.setup"):
        client.get("/", REMOTE_ADDR="203.0.113.9")
    token = first_run.setup_token()
    assert token in caplog.text
    response = client.post("/setup/", {**GOOD, "token": token}, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302
    assert get_user_model().objects.filter(is_staff=True).count() == 1


def test_bad_input_is_said_and_changes_nothing(client):
    response = client.post(
        "/setup/", {**GOOD, "password_again": "something-else", "team_name": "  "}
    )
    assert response.status_code == 400
    assert b"The two passwords differ." in response.content
    assert b"Give the team a name." in response.content
    assert b"Ada Lovelace" in response.content  # what was typed comes back
    assert not get_user_model().objects.exists()
    assert not Team.objects.exists()


def test_a_weak_password_is_refused(client):
    response = client.post(
        "/setup/", {**GOOD, "password": "password", "password_again": "password"}
    )
    assert response.status_code == 400
    assert not get_user_model().objects.exists()


def test_once_set_up_the_redirect_costs_no_query(client):
    UserFactory(is_staff=True)
    assert first_run.is_set_up()
    with CaptureQueriesContext(connection) as queries:
        assert first_run.is_set_up()
    assert len(queries) == 0


def test_another_process_learns_it_from_the_cache_without_a_query(client):
    client.post("/setup/", GOOD)
    first_run._staff_exists = False  # as another web process that has not looked yet
    with CaptureQueriesContext(connection) as queries:
        assert first_run.is_set_up()
    assert len(queries) == 0


def test_seed_demo_sets_the_installation_up():
    from django.core.management import call_command

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert first_run.is_set_up()
