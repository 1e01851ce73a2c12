"""Charts that read at a glance: the title above, an empty state, the second series told
apart without colour; figures in units people use."""

from __future__ import annotations

import re

import pytest

from dashboard.charts import Chart, Series, draw, to_html
from reviews.templatetags.aar import days


def chart(values_a, values_b=None) -> Chart:
    series = [Series(name="Opened", values=values_a)]
    if values_b is not None:
        series.append(Series(name="Closed", values=values_b))
    return draw(
        Chart(
            title="Actions opened and closed", labels=["W1", "W2", "W3"], series=series, unit="week"
        )
    )


def test_the_title_comes_before_the_chart_and_the_numbers_follow_it():
    html = str(to_html(chart([3, 0, 5], [1, 2, 0]), "c1"))
    assert html.index("<figcaption") < html.index('<svg role="img"') < html.index("<details>")
    assert html.startswith('<figure class="chart"') and html.endswith("</figure>")
    # One figcaption, first: valid content for a figure.
    assert html.count("<figcaption") == 1


def test_the_second_series_is_hatched_as_well_as_coloured():
    html = str(to_html(chart([3, 0, 5], [1, 2, 4]), "c2"))
    closed = re.findall(r'<rect class="bar s1"[^>]*>', html)
    assert closed and all('fill="url(#c2-p1)"' in rect for rect in closed)
    assert '<pattern id="c2-p1"' in html
    assert (
        'class="bar s0"' in html
        and 'fill="url(#c2-p1)"' not in re.findall(r'<rect class="bar s0"[^>]*>', html)[0]
    )


def test_an_empty_chart_says_so_instead_of_drawing_an_empty_box():
    html = str(to_html(chart([0, 0, 0]), "c3"))
    assert '<p class="empty">No data in this period.</p>' in html
    assert "<svg role" not in html


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (None, "—"),
        (0.25, "6 hours"),
        (1, "1 day"),
        (3.5, "3.5 days"),
        (18.2, "18 days"),
        (120, "4 months"),
        (1800.0, "4.9 years"),
        (1826, "5 years"),
    ],
)
def test_days_read_in_the_unit_people_use(value, said):
    assert days(value) == said
