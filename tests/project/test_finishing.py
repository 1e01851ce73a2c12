"""The finishing touches of a product: an icon, error pages in the site's layout, machine-
readable times that are valid HTML."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings

from tests.factories import ReviewFactory, TimelineEntryFactory

pytestmark = pytest.mark.django_db


def test_the_icon_is_served_and_every_page_links_it(client):
    answer = client.get("/favicon.ico")
    assert answer.status_code == 301 and answer["Location"].endswith("img/icon.svg")
    page = client.get("/accounts/login/").content.decode()
    assert 'rel="icon"' in page and 'rel="manifest"' in page


@override_settings(DEBUG=False)
def test_a_missing_page_is_our_own_in_the_sites_layout(client):
    review = ReviewFactory()
    client.force_login(review.facilitator)
    answer = client.get("/reviews/no-such-review/")
    assert answer.status_code == 404
    page = answer.content.decode()
    assert "There is nothing here" in page and 'class="topbar"' in page
    assert "Go to your reviews" in page


def test_the_server_error_page_needs_nothing_but_static_files():
    from django.template.loader import render_to_string

    page = render_to_string("500.html")
    assert "Something went wrong on our side" in page and "aar.css" in page


def test_machine_readable_times_carry_no_microseconds(client):
    review = ReviewFactory()
    TimelineEntryFactory(review=review)
    client.force_login(review.facilitator)
    for url in ("/", f"/reviews/{review.slug}/", f"/reviews/{review.slug}/timeline/"):
        page = client.get(url).content.decode()
        stamps = re.findall(r'datetime="([^"]+)"', page)
        assert stamps, url
        for stamp in stamps:
            # HTML's global date and time: seconds at most to three decimals.
            assert re.fullmatch(
                r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,3})?)?([+-]\d\d:?\d\d|Z)", stamp
            ), stamp


def test_a_forged_form_post_gets_our_own_403(db):
    review = ReviewFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(review.facilitator)
    answer = client.post(f"/reviews/{review.slug}/timeline/add/", {"description": "x"})
    assert answer.status_code == 403
    assert "That was not allowed" in answer.content.decode()


def test_a_failed_submit_lists_its_problems_and_ties_each_error_to_its_field(client):
    from tests.factories import TeamFactory

    team = TeamFactory()
    client.force_login(team.delivery_owner)
    answer = client.post("/reviews/new/", {"team": team.pk, "kind": "incident", "title": ""})
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "data-error-summary" in page and "nothing was saved" in page
    # Each error is linked from the summary and named by its field's aria-describedby.
    linked = re.findall(r'<a href="#(id_[a-z_]+)">', page)
    assert "id_title" in linked
    for field_id in linked:
        widget = re.search(rf'<[^>]+ id="{field_id}"[^>]*>', page).group(0)
        described = re.search(r'aria-describedby="([^"]+)"', widget).group(1).split()
        assert f"{field_id}_error" in described and 'aria-invalid="true"' in widget
        for target in described:
            assert f'id="{target}"' in page, target


def test_help_text_is_tied_to_its_field(client):
    from tests.factories import TeamFactory

    team = TeamFactory()
    client.force_login(team.delivery_owner)
    page = client.get("/reviews/new/").content.decode()
    described = re.findall(r'aria-describedby="([^"]+)"', page)
    assert described
    for ids in described:
        for target in ids.split():
            assert f'id="{target}"' in page, target


def test_pages_leave_compressed_with_random_padding_and_streams_do_not(client):
    from django.http import HttpResponse, StreamingHttpResponse
    from django.test import RequestFactory

    from aar_project.middleware import PageCompressionMiddleware

    review = ReviewFactory()
    TimelineEntryFactory(review=review)
    client.force_login(review.facilitator)
    sizes = set()
    for _ in range(3):
        page = client.get(f"/reviews/{review.slug}/", HTTP_ACCEPT_ENCODING="gzip")
        assert page["Content-Encoding"] == "gzip"
        sizes.add(len(page.content))
    assert len(sizes) > 1  # the same page, padded differently each time (BREACH)
    stream = StreamingHttpResponse(
        iter([b"event: changed\\n\\n"]), content_type="text/event-stream"
    )
    request = RequestFactory().get("/", HTTP_ACCEPT_ENCODING="gzip")
    answer = PageCompressionMiddleware(lambda r: stream)(request)
    assert not answer.has_header("Content-Encoding")
    # The meeting's fragment answers go to every open page after each change: left as they are.
    fragments = HttpResponse("<section id='m-state'></section>" * 40)
    fragments["X-AAR-Version"] = "7"
    answer = PageCompressionMiddleware(lambda r: fragments)(request)
    assert not answer.has_header("Content-Encoding")


def test_no_main_page_has_an_id_twice(client):
    import collections

    from tests.factories import ActionItemFactory, ParticipantFactory

    review = ReviewFactory()
    participant = ParticipantFactory(review=review)
    entries = [TimelineEntryFactory(review=review) for _ in range(2)]
    action = ActionItemFactory(review=review, owner=participant.user)
    client.force_login(review.facilitator)
    slug = review.slug
    urls = [
        "/",
        f"/reviews/{slug}/",
        f"/reviews/{slug}/edit/",
        f"/reviews/{slug}/people/",
        f"/reviews/{slug}/timeline/",
        f"/reviews/{slug}/timeline/import/",
        f"/reviews/{slug}/meeting/",
        f"/actions/{action.pk}/",
        "/actions/mine/",
    ]
    twice = {}
    for url in urls:
        answer = client.get(url)
        assert answer.status_code == 200, url
        ids = collections.Counter(re.findall(r'\sid="([^"]+)"', answer.content.decode()))
        if repeated := sorted(i for i, n in ids.items() if n > 1):
            twice[url] = repeated
    # The timeline page with one entry open for editing, as htmx swaps the form in: none of
    # the form's ids may already be on the page (the add form's were).
    edit = client.get(f"/reviews/{slug}/timeline/{entries[0].pk}/edit/", HTTP_HX_REQUEST="true")
    page = client.get(f"/reviews/{slug}/timeline/").content.decode()
    on_page = set(re.findall(r'\sid="([^"]+)"', page)) - {f"entry-{entries[0].pk}"}
    if clash := sorted(on_page & set(re.findall(r'\sid="([^"]+)"', edit.content.decode()))):
        twice["timeline with an entry open"] = clash
    assert twice == {}
