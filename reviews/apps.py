from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Reviews"

    def ready(self) -> None:
        # Imported for what they register: the email renderers and the system checks.
        from reviews import checks, emails  # noqa: F401
