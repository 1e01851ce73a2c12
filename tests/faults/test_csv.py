"""A CSV download is safe to open in a spreadsheet whatever people typed."""

from __future__ import annotations

import csv
import io

import pytest

from actions.exports import csv_cell
from tests.factories import ActionItemFactory, UserFactory

pytestmark = pytest.mark.django_db

FORMULAS = [
    "=1+2",
    "+1",
    "-2+3",
    "@SUM(A1)",
    "\uff1d1+2",  # full-width equals sign
    "\uff0bcmd",
    "\uff20x",
    "\t=1",
    "\r=1",
    "|calc",
    "=cmd|'/ccalc'!a0",
]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_cell_a_spreadsheet_would_run_is_made_plain_text(text):
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Fix the alert", "1+2", "owner@example.com", ""])
def test_ordinary_cells_are_left_alone(text):
    assert csv_cell(text) == text


def test_every_text_cell_of_the_download_is_neutralised_the_owners_email_too(client, cast):
    owner = UserFactory(email="=1+2@example.com")
    cast.team.members.add(owner)
    ActionItemFactory(review=cast.review, owner=owner, title="\uff1dHYPERLINK(1)")
    client.force_login(cast.owner)
    response = client.get(f"/actions/team/{cast.team.slug}/?format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    cells = [cell for row in rows[1:] for cell in row]
    assert "'=1+2@example.com" in cells and "'\uff1dHYPERLINK(1)" in cells
    runnable = [c for c in cells if c and c[0] in "=+-@\uff1d\uff0b\uff0d\uff20"]
    assert runnable == []
