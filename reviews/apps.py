from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Reviews"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from actions.models import ActionItem
        from reviews import emails  # noqa: F401 - registers the email renderers
        from reviews.metrics import data_changed
        from reviews.models import AgendaPhase, CausalFactor, ContributingFactor, Review

        # Saved one by one (the app's bulk changes call bump_review_version; others show
        # within DASHBOARD_CACHE_SECONDS): the team's kept dashboard figures are dropped.
        for model in (ActionItem, Review, AgendaPhase, CausalFactor, ContributingFactor):
            post_save.connect(
                data_changed, sender=model, dispatch_uid=f"dashboard-{model.__name__}"
            )
            post_delete.connect(
                data_changed, sender=model, dispatch_uid=f"dashboard-{model.__name__}-delete"
            )
