from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The delivery owner's figures and charts: an app without models."""

    name = "dashboard"
