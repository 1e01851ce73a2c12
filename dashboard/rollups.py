"""Keeping the tallies: what a review adds to them, the difference a change makes, rebuilds.

`facts_of` says what one review (its row, its actions, agenda and factors) adds to the
dashboard's counts, as (team, metric, day, value) -> n; the same function serves the change
of one review and the rebuild of all, so the kept and the rebuilt tallies cannot differ in
what they count. A change writes only the difference between a review's kept facts and its
facts now, in one statement, in the transaction of the change.

Which reviews changed is learnt from the models' save and delete signals (so the admin,
scripts and factories are followed too); the reviews are brought up to date once per change:
when the service's `bump_review_version` runs (reviews.versions.changed), before figures are
read on the same connection, and otherwise when the transaction commits.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from actions.models import CLOSED_STATUSES, ActionItem, ActionStatus
from dashboard.models import ALL_TEAMS, EVERY_KIND, Grain, ReviewFacts, RollupState, Tally
from reviews.models import AgendaPhase, CausalFactor, ContributingFactor, Review, ReviewStatus
from reviews.versions import team_changed

Fact = tuple[int, str, str, str]  # team, metric, day (ISO), value
Row = tuple[int, str, str, dt.date, str, str]  # team, kind, grain, start, metric, value

BATCH = 2000
COLUMNS = "team_id, kind, grain, start, metric, value, n"


def local_day(moment: dt.datetime) -> dt.date:
    """The day of `moment` in the site's time zone: the days the dashboard's periods count."""
    return timezone.localtime(moment).date()


def utc_days(start: dt.datetime, end: dt.datetime) -> int:
    """Whole calendar days (UTC) from `start` to `end`, as dashboard.sql.DaysBetween counts."""
    return (end.astimezone(dt.UTC).date() - start.astimezone(dt.UTC).date()).days


def overrun_minutes(planned_minutes: int, spent_seconds: int) -> int:
    """Whole minutes over the plan, rounded up; 0 on time."""
    over = spent_seconds - planned_minutes * 60
    return (over + 59) // 60 if over > 0 else 0


# What each row adds. Kept to plain values so the rebuild can feed them from bulk queries.


def action_facts(
    team_id: int, status: str, created_at: dt.datetime, closed_at: dt.datetime | None, due: Any
) -> Iterator[tuple[int, str, dt.date, str]]:
    yield team_id, "opened", local_day(created_at), ""
    if status in CLOSED_STATUSES and closed_at is not None:
        closed_day = local_day(closed_at)
        yield team_id, "closed", closed_day, ""
        if status == ActionStatus.DONE:
            yield team_id, "done", closed_day, str(utc_days(created_at, closed_at))
            yield team_id, "done_n", closed_day, ""
            if due is not None and closed_day <= due:
                yield team_id, "on_time", closed_day, ""


def review_facts(
    team_id: int,
    status: str,
    created_at: dt.datetime,
    event_started_at: dt.datetime | None,
    scheduled_at: dt.datetime | None,
    meeting_started_at: dt.datetime | None,
) -> Iterator[tuple[int, str, dt.date, str]]:
    """The review's own row; a cancelled review counts for nothing (nor do its agenda and
    factors; its actions still count, as they are still to be done)."""
    day = local_day(created_at)
    yield team_id, "review", day, status
    if event_started_at and scheduled_at and meeting_started_at:
        yield team_id, "to_meeting", day, str(utc_days(event_started_at, scheduled_at))


def _moment(value: Any) -> dt.datetime | None:
    """A date-time from a raw query: PostgreSQL gives one; SQLite gives it naive or as its
    text, in UTC."""
    if value is None:
        return None
    parsed = value if isinstance(value, dt.datetime) else parse_datetime(value)
    assert parsed is not None, value
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=dt.UTC)


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def _rows_of(review_id: int) -> list[tuple[Any, ...]]:
    """The review's row and what of its actions, agenda and factors is counted, in one query
    (a save in the meeting waits for it): (what, moment, moment, moment, moment, text, text,
    number, number, date)."""
    typed = connection.vendor == "postgresql"
    t, d, n, x = (f"NULL::{k}" if typed else "NULL" for k in ("timestamptz", "date", "int", "text"))
    tables = {
        "review": Review._meta.db_table,
        "action": ActionItem._meta.db_table,
        "phase": AgendaPhase._meta.db_table,
        "factor": ContributingFactor._meta.db_table,
        "cause": CausalFactor._meta.db_table,
    }
    sql = f"""
        SELECT 'r', created_at, event_started_at, scheduled_at, meeting_started_at, kind, status,
               team_id, {n}, {d} FROM {tables["review"]} WHERE id = %s
        UNION ALL
        SELECT 'a', created_at, closed_at, {t}, {t}, {x}, status, team_id, {n}, due_on
          FROM {tables["action"]} WHERE review_id = %s
        UNION ALL
        SELECT 'p', {t}, {t}, {t}, {t}, phase, {x}, planned_minutes, spent_seconds, {d}
          FROM {tables["phase"]} WHERE review_id = %s AND started_at IS NOT NULL
        UNION ALL
        SELECT 'c', {t}, {t}, {t}, {t}, category, {x}, {n}, {n}, {d}
          FROM {tables["factor"]} WHERE review_id = %s
        UNION ALL
        SELECT 'f', {t}, {t}, {t}, {t}, factor_type, {x}, {n}, {n}, {d}
          FROM {tables["cause"]} WHERE review_id = %s
    """  # noqa: S608 (the names are our tables')
    with connection.cursor() as cursor:
        cursor.execute(sql, [review_id] * 5)
        return list(cursor.fetchall())


def facts_of(review_id: int) -> tuple[str, Counter[Fact]]:
    """The review's kind and what it adds to the tallies now (nothing if it is gone)."""
    rows = _rows_of(review_id)
    facts: Counter[Fact] = Counter()
    own = next((row for row in rows if row[0] == "r"), None)
    if own is None:
        return EVERY_KIND, facts

    def add(found: Iterable[tuple[int, str, dt.date, str]]) -> None:
        for team, metric, day, value in found:
            facts[(team, metric, day.isoformat(), value)] += 1

    _, created, event, scheduled, meeting, kind, status, team_id, _, _ = own
    created_at = _moment(created)
    assert created_at is not None
    counted = status != ReviewStatus.CANCELLED
    if counted:
        add(
            review_facts(
                team_id, status, created_at, _moment(event), _moment(scheduled), _moment(meeting)
            )
        )
    day = local_day(created_at)
    for what, first, second, _, _, text, state, number, other, due in rows:
        if what == "a":
            opened = _moment(first)
            assert opened is not None
            add(action_facts(number, state, opened, _moment(second), _date(due)))
        elif not counted:
            continue
        elif what == "p":
            add([(team_id, "overrun", day, f"{text}:{overrun_minutes(number, other)}")])
        elif what == "c":
            add([(team_id, "category", day, text)])
        elif what == "f":
            add([(team_id, "ftype", day, text)])
    return kind, facts


def _encode(facts: Counter[Fact]) -> dict[str, int]:
    return {"|".join(map(str, key)): n for key, n in sorted(facts.items()) if n}


def _decode(stored: dict[str, int]) -> Counter[Fact]:
    out: Counter[Fact] = Counter()
    for key, n in stored.items():
        team, metric, day, value = key.split("|", 3)
        out[(int(team), metric, day, value)] = n
    return out


def _expand(kind: str, facts: Iterable[tuple[Fact, int]]) -> Counter[Row]:
    """Each fact as the rows it moves: team and organisation, its kind and every kind, its
    day and its month."""
    rows: Counter[Row] = Counter()
    for (team, metric, day_iso, value), n in facts:
        day = dt.date.fromisoformat(day_iso)
        month = day.replace(day=1)
        for scope in (team, ALL_TEAMS):
            for k in (kind, EVERY_KIND) if kind != EVERY_KIND else (EVERY_KIND,):
                rows[(scope, k, Grain.DAY, day, metric, value)] += n
                rows[(scope, k, Grain.MONTH, month, metric, value)] += n
    return rows


def _add(rows: Counter[Row]) -> None:
    """Add `rows` to the tallies: one statement (per BATCH rows), in a fixed order so two
    changes at once take their row locks in the same order."""
    moved = sorted((key, n) for key, n in rows.items() if n)
    table = Tally._meta.db_table
    with connection.cursor() as cursor:
        for i in range(0, len(moved), BATCH):
            chunk = moved[i : i + BATCH]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
            params: list[Any] = []
            for key, n in chunk:
                params += [*key, n]
            upsert = (
                f"INSERT INTO {table} ({COLUMNS}) VALUES {values} "  # noqa: S608 (our names)
                "ON CONFLICT (metric, kind, team_id, grain, start, value) "
                f"DO UPDATE SET n = {table}.n + excluded.n"
            )
            cursor.execute(upsert, params)


def refresh(review_ids: Iterable[int], *, reading: bool = False) -> set[int]:
    """Bring the tallies up to date with these reviews; returns the teams whose figures may
    have moved (their kept figures are dropped)."""
    moved_teams: set[int] = set()
    # Within the change's own transaction no savepoint is needed: a failure undoes it all.
    with transaction.atomic(savepoint=not connection.in_atomic_block):
        for review_id in sorted(set(review_ids)):
            kept = _locked_facts(review_id)
            kind, now = facts_of(review_id)
            before = _decode(kept.facts)
            # What is counted live (open and overdue actions, the waiting reviews) may have
            # moved even where the tallies did not: the teams' kept figures go either way.
            moved_teams |= {team for team, *_ in now} | {team for team, *_ in before}
            if kind == kept.kind and now == before:
                continue
            delta = _expand(kind, now.items())
            delta.subtract(_expand(kept.kind, before.items()))
            _add(delta)
            if now:
                kept.facts, kept.kind = _encode(now), kind
                kept.save(update_fields=["facts", "kind"])
            else:
                kept.delete()
    for team_id in moved_teams:
        team_changed(team_id, again_on_commit=not reading)
    return moved_teams


def _locked_facts(review_id: int) -> ReviewFacts:
    """The review's kept facts, locked until the change commits (two changes to one review
    take turns, so neither adds its difference to a sum the other has not finished)."""
    kept = ReviewFacts.objects.select_for_update().filter(review_id=review_id).first()
    if kept is None:
        ReviewFacts.objects.get_or_create(review_id=review_id)
        kept = ReviewFacts.objects.select_for_update().get(review_id=review_id)
    return kept


# Which reviews changed on this thread's connection and are not counted yet.

_pending = threading.local()


def _ids() -> set[int]:
    ids: set[int] | None = getattr(_pending, "ids", None)
    if ids is None:
        ids = _pending.ids = set()
    return ids


def mark(review_id: int | None) -> None:
    """A row of this review changed: count it before the figures are next read here, when
    the service says it is done, or when the transaction commits, whichever comes first."""
    if review_id is None:
        return
    _ids().add(review_id)
    # Once per transaction (a rolled-back one took its callback with it); outside one, now.
    if not any(waiting[1] is _flush_on_commit for waiting in connection.run_on_commit):
        transaction.on_commit(_flush_on_commit)


# The signal receivers (connected in dashboard.apps).


def review_saved(instance: Review, **_: Any) -> None:
    mark(instance.pk)


def row_saved(instance: Any, **_: Any) -> None:
    mark(instance.review_id)


def action_saving(
    instance: ActionItem, raw: bool = False, update_fields: Any = None, **_: Any
) -> None:
    """Before an action is saved: the review it belonged to, should it move to another (a
    save of named fields that leaves the review out cannot move it: nothing to ask)."""
    if not instance.pk or raw or (update_fields is not None and "review" not in update_fields):
        return
    previous = ActionItem.objects.filter(pk=instance.pk).values_list("review_id", flat=True)
    for review_id in previous:
        if review_id != instance.review_id:
            mark(review_id)


def review_changed(review_id: int, figures: bool = False, **_: Any) -> None:
    """A service is done with a change (reviews.versions.bump_review_version)."""
    if figures:
        mark(review_id)
    flush()


def written_in_bulk(review_ids: Iterable[int], **_: Any) -> None:
    for review_id in review_ids:
        mark(review_id)


def _flush_on_commit() -> None:
    flush()


def flush(*, reading: bool = False) -> None:
    """Count the reviews marked on this connection; `reading` when figures are read next."""
    ids = _ids()
    if ids:
        waiting = sorted(ids)
        ids.clear()
        refresh(waiting, reading=reading)


# Rebuilding from scratch, and checking the kept tallies against a rebuild.


def all_facts() -> Iterator[tuple[int, str, Counter[Fact]]]:
    """Every review's facts, read in bulk: a handful of queries whatever the data."""
    reviews: dict[int, list[Any]] = {
        pk: row
        for pk, *row in Review.objects.order_by().values_list(
            "pk",
            "team_id",
            "kind",
            "status",
            "created_at",
            "event_started_at",
            "scheduled_at",
            "meeting_started_at",
        )
    }
    facts: dict[int, Counter[Fact]] = defaultdict(Counter)

    def add(review_id: int, found: Iterable[tuple[int, str, dt.date, str]]) -> None:
        bag = facts[review_id]
        for team, metric, day, value in found:
            bag[(team, metric, day.isoformat(), value)] += 1

    action: list[Any]
    for review_id, *action in (
        ActionItem.objects.order_by()
        .values_list("review_id", "team_id", "status", "created_at", "closed_at", "due_on")
        .iterator(chunk_size=20_000)
    ):
        add(review_id, action_facts(*action))
    counted = {
        pk: (row[0], local_day(row[3]))
        for pk, row in reviews.items()
        if row[2] != ReviewStatus.CANCELLED
    }
    for pk, (team_id, _kind, status, created_at, *times) in reviews.items():
        if pk in counted:
            add(pk, review_facts(team_id, status, created_at, *times))
    for review_id, phase, planned, spent in (
        AgendaPhase.objects.filter(started_at__isnull=False)
        .order_by()
        .values_list("review_id", "phase", "planned_minutes", "spent_seconds")
        .iterator(chunk_size=20_000)
    ):
        if review_id in counted:
            team_id, day = counted[review_id]
            add(
                review_id, [(team_id, "overrun", day, f"{phase}:{overrun_minutes(planned, spent)}")]
            )
    for model, field, metric in (
        (ContributingFactor, "category", "category"),
        (CausalFactor, "factor_type", "ftype"),
    ):
        for review_id, value in (
            model.objects.order_by().values_list("review_id", field).iterator(chunk_size=20_000)
        ):
            if review_id in counted:
                team_id, day = counted[review_id]
                add(review_id, [(team_id, metric, day, value)])
    for review_id, bag in facts.items():
        yield review_id, reviews[review_id][1], bag


def rebuilt() -> tuple[dict[int, tuple[str, Counter[Fact]]], Counter[Row]]:
    """Every review's facts and the tallies they add up to, computed from the rows."""
    per_review: dict[int, tuple[str, Counter[Fact]]] = {}
    summed: dict[str, Counter[Fact]] = defaultdict(Counter)
    for review_id, kind, bag in all_facts():
        per_review[review_id] = (kind, bag)
        summed[kind].update(bag)
    rows: Counter[Row] = Counter()
    for kind, bag in summed.items():
        rows.update(_expand(kind, bag.items()))
    return per_review, rows


@transaction.atomic
def rebuild() -> int:
    """Throw the tallies away and count them again from the rows; returns the rows written."""
    _ids().clear()  # whatever was waiting is counted with the rest
    per_review, rows = rebuilt()
    Tally.objects.all().delete()
    ReviewFacts.objects.all().delete()
    ReviewFacts.objects.bulk_create(
        [
            ReviewFacts(review_id=review_id, kind=kind, facts=_encode(bag))
            for review_id, (kind, bag) in per_review.items()
            if bag
        ],
        batch_size=BATCH,
    )
    _insert((*key, n) for key, n in rows.items() if n)
    RollupState.objects.all().delete()
    RollupState.objects.create(time_zone=settings.TIME_ZONE, rebuilt_at=timezone.now())
    return sum(1 for n in rows.values() if n)


def _insert(rows: Iterable[tuple[Any, ...]]) -> None:
    """Write many new rows: COPY on PostgreSQL, batched inserts elsewhere."""
    table = Tally._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({COLUMNS}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        batch: list[tuple[Any, ...]] = []
        sql = f"INSERT INTO {table} ({COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s)"  # noqa: S608
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)


def differences(limit: int = 20) -> list[str]:
    """Where the kept tallies differ from a rebuild (empty when they agree)."""
    flush()
    _, wanted = rebuilt()
    kept: Counter[Row] = Counter()
    for team, kind, grain, start, metric, value, n in Tally.objects.exclude(n=0).values_list(
        "team_id", "kind", "grain", "start", "metric", "value", "n"
    ):
        kept[(team, kind, grain, start, metric, value)] = n
    out = []
    for key in sorted(set(kept) | {k for k, n in wanted.items() if n}):
        if kept[key] != wanted[key]:
            out.append(f"{key}: kept {kept[key]}, counted {wanted[key]}")
            if len(out) >= limit:
                break
    return out


def after_migrate(**_: Any) -> None:
    """Count everything on the first migrate that has the tallies, and again when the site's
    time zone has changed (the days were counted in another)."""
    if RollupState._meta.db_table not in connection.introspection.table_names():
        return  # migrated back past the tallies
    state = RollupState.objects.first()
    if state is None or state.time_zone != settings.TIME_ZONE:
        rebuild()
