"""Type aliases shared by the apps."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    AnyUser: TypeAlias = User | AnonymousUser
