"""Database connections of threads that outlive a request."""

from __future__ import annotations

from django.db import connection


def give_back_connection() -> None:
    """After work on a long-lived thread (the poll's executor, the push hub's): under
    `make web` the connection goes back to the pool, so the thread holds none between calls;
    without a pool the thread keeps its persistent one, as a request thread would."""
    if "pool" in connection.settings_dict.get("OPTIONS", {}):
        connection.close()
    else:
        connection.close_if_unusable_or_obsolete()
