from __future__ import annotations

import argparse
import importlib
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aar_project.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

SUITES = [
    "prepare",
    "reminders",
    "report",
    "dashboard",
    "hints",
    "poll",
    "push",
    "faults",
    "memory",
    "real_hints",
    "lint",
    "imports",
    "api",
]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks")
    parser.add_argument(
        "suites", nargs="*", default=SUITES, help=f"which to run: {', '.join(SUITES)}"
    )
    parser.add_argument("--keepdb", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()

    import django
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    django.setup()
    from django.conf import settings

    # Served by name, as in the tests; gunicorn benchmarks run collectstatic themselves.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    import logging

    # Benchmark data sets passwords by the thousand: a fast hasher (never used by the server).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    logging.getLogger("aar.request").setLevel(logging.WARNING)
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, keepdb=args.keepdb, autoclobber=True)
    print(f"# database: {connection.vendor} {connection.settings_dict['NAME']}")
    started = time.perf_counter()
    try:
        for name in args.suites:
            module = importlib.import_module(f"tests.benchmarks.bench_{name}")
            print(f"\n## {name}")
            module.run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=args.keepdb)
        teardown_test_environment()
    print(f"\n# total {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
