"""A sealed account is seen by its author, the facilitator and the scribe, and nobody else,
on any page, fragment or email, until the facilitator reveals the accounts."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MAY_READ = {"facilitator", "scribe"}  # and the author, who is not one of the personas


def review_urls(cast) -> list[tuple[str, dict[str, str]]]:
    slug = cast.review.slug
    pages = [
        "/",
        f"/reviews/{slug}/",
        f"/reviews/{slug}/people/",
        f"/reviews/{slug}/edit/",
        f"/reviews/{slug}/accounts/",
        f"/reviews/{slug}/account/",
        f"/reviews/{slug}/timeline/",
        f"/reviews/{slug}/timeline/import/",
        f"/reviews/{slug}/meeting/",
        f"/reviews/{slug}/meeting/presenter/",
        f"/reviews/{slug}/meeting/poll/?v=0",
        f"/reviews/{slug}/meeting/poll/?v=0&presenter=1",
        "/actions/mine/",
        "/dashboard/",
        f"/?team={cast.team.slug}",
    ]
    pages += [f"/reviews/{slug}/accounts/{p.pk}/" for p in cast.review.participants.all()]
    plain = [(url, {}) for url in pages]
    fragments = [(url, {"HTTP_HX_REQUEST": "true"}) for url in pages]
    return plain + fragments


@pytest.mark.parametrize("status", ["preparing", "in_meeting"])
def test_no_page_or_fragment_shows_a_sealed_account_to_anyone_else(client, cast, status):
    if status == "in_meeting":
        from reviews.services.meeting import meeting_start

        meeting_start(review=cast.review)  # the summary phase: accounts are not revealed yet
        cast.review.refresh_from_db()
    leaks = []
    for persona, user in cast.people().items():
        client.force_login(user)
        for url, headers in review_urls(cast):
            response = client.get(url, **headers)
            if cast.secret in response.content.decode(errors="replace") and persona not in MAY_READ:
                leaks.append(f"{persona} sees the sealed account at {url} {headers}")
    assert not leaks, "\n".join(leaks)


def test_the_facilitator_and_scribe_do_read_it_before_the_reveal(client, cast):
    for user in (cast.facilitator, cast.scribe):
        client.force_login(user)
        assert cast.secret in client.get(f"/reviews/{cast.review.slug}/accounts/").content.decode()


def test_the_author_reads_their_own_account_but_not_the_others(client, cast):
    client.force_login(cast.participant)
    page = client.get(f"/reviews/{cast.review.slug}/accounts/").content.decode()
    assert "my own words" in page and cast.secret not in page
    assert (
        client.get(f"/reviews/{cast.review.slug}/accounts/{cast.other_row.pk}/").status_code == 404
    )


def test_the_admin_never_shows_accounts(client, cast):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get(f"/admin/reviews/review/{cast.review.pk}/change/")
    assert page.status_code == 200
    assert cast.secret not in page.content.decode()


def test_emails_never_carry_accounts(client, cast):
    client.force_login(cast.facilitator)
    client.post(f"/reviews/{cast.review.slug}/invitations/")
    client.post(f"/reviews/{cast.review.slug}/accounts/{cast.participant_row.pk}/remind/")
    assert mail.outbox
    for message in mail.outbox:
        assert cast.secret not in message.body
        assert all(cast.secret not in str(alt[0]) for alt in message.alternatives)


def test_after_the_reveal_everyone_in_the_review_reads_every_submitted_account(client, cast):
    cast.other_account.submitted_at = timezone.now()
    cast.other_account.save()
    cast.review.accounts_revealed_at = timezone.now()
    cast.review.save()
    for persona, user in cast.people().items():
        client.force_login(user)
        page = client.get(f"/reviews/{cast.review.slug}/accounts/")
        if persona == "outsider":
            assert page.status_code == 404
        else:
            assert cast.secret in page.content.decode(), persona


def test_the_reveal_never_shows_a_draft(client, cast):
    """#15 bug 6: drafts were revealed with the submitted accounts."""
    from reviews.services.meeting import meeting_start

    meeting_start(review=cast.review)
    cast.review.refresh_from_db()
    cast.review.accounts_revealed_at = timezone.now()
    cast.review.save()
    draft = cast.secret  # cast.other_account was never submitted
    for persona in ("participant", "observer", "member", "delivery_owner"):
        client.force_login(cast.people()[persona])
        for url in ("accounts/", "meeting/", f"accounts/{cast.other_row.pk}/"):
            page = client.get(f"/reviews/{cast.review.slug}/{url}")
            assert draft not in page.content.decode(), (persona, url)
    # The author still reads it; the facilitator's meeting says whose is still a draft,
    # without its text (the meeting is often on a shared screen).
    client.force_login(cast.other_row.user)
    assert draft in client.get(f"/reviews/{cast.review.slug}/accounts/").content.decode()
    client.force_login(cast.facilitator)
    meeting = client.get(f"/reviews/{cast.review.slug}/meeting/").content.decode()
    accounts = meeting.split('id="m-accounts"')[1].split("</section>")[0]
    assert "draft, not submitted" in accounts and draft not in accounts
