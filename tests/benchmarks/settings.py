"""Benchmark settings: the app's own, plus a bare view to compare the poll against."""

from aar_project.settings import *  # noqa: F403

ROOT_URLCONF = "tests.benchmarks.urls"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING["root"]["level"] = "WARNING"  # type: ignore[index]  # noqa: F405
LOGGING["loggers"]["aar.request"] = {"level": "WARNING"}  # type: ignore[index]  # noqa: F405
