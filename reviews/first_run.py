"""First run: until a staff user exists, every page sends people to the one-time setup page.

Whether setup is done is one flag: this process's, then the shared cache's, then (only while
neither has it yet) one query. Once a staff user exists it stays so (the last one cannot be
removed or deactivated), so after the first answer no request asks the database again.

Setup is allowed from the machine itself (a loopback client, as `make run` serves it on
127.0.0.1) or with the setup token each process logs while setup is not done. The token is
derived from SECRET_KEY, so every process logs the same one; it opens nothing once a staff
user exists.
"""

from __future__ import annotations

import ipaddress
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare, salted_hmac

from aar_project.ratelimit import client_ip

logger = logging.getLogger("aar.setup")

CACHE_KEY = "setup:staff-exists"

_staff_exists = False
_token_logged = False


def is_set_up() -> bool:
    global _staff_exists
    if _staff_exists:
        return True
    if cache.get(CACHE_KEY):
        _staff_exists = True
        return True
    if get_user_model()._default_manager.filter(is_staff=True).exists():
        mark_set_up()
        return True
    return False


def mark_set_up() -> None:
    global _staff_exists
    _staff_exists = True
    cache.set(CACHE_KEY, True, None)


def forget() -> None:
    """For tests: this process forgets that setup was done (the cache is theirs to clear)."""
    global _staff_exists, _token_logged
    _staff_exists = False
    _token_logged = False
    cache.delete(CACHE_KEY)


def setup_token() -> str:
    return salted_hmac("aar.first-run", "setup-token", algorithm="sha256").hexdigest()[:32]


def log_token_once() -> None:
    global _token_logged
    if _token_logged:
        return
    _token_logged = True
    logger.warning(
        "First run: no administrator yet. Open %s/setup/ from this machine, or from anywhere "
        "with the setup token %s",
        settings.SITE_URL,
        setup_token(),
    )


def from_this_machine(request: HttpRequest) -> bool:
    """A loopback client that no proxy stands in front of (behind an unknown proxy every
    client would look local)."""
    if not settings.TRUSTED_PROXY_COUNT and request.META.get("HTTP_X_FORWARDED_FOR"):
        return False
    try:
        return ipaddress.ip_address(client_ip(request)).is_loopback
    except ValueError:
        return False


def token_matches(token: str) -> bool:
    return bool(token) and constant_time_compare(token, setup_token())


# Paths that answer before setup: the setup page itself, static files, health and icon.
OPEN_PREFIXES = ("/setup/", "/static/", "/healthz", "/favicon.ico")
