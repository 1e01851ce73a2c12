from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save, pre_save


class DashboardConfig(AppConfig):
    """The delivery owner's figures and charts, and the tallies they are read from."""

    name = "dashboard"

    def ready(self) -> None:
        from actions.models import ActionItem  # models load once the apps are ready
        from dashboard import rollups  # models load once the apps are ready
        from reviews.models import (  # models load once the apps are ready
            AgendaPhase,
            CausalFactor,
            ContributingFactor,
            Review,
        )
        from reviews.versions import changed, written_in_bulk  # models load once the apps are ready

        # Every save and delete of what the tallies count marks its review (dashboard.rollups).
        for signal in (post_save, post_delete):
            signal.connect(rollups.review_saved, sender=Review, dispatch_uid="rollups-review")
            for model in (ActionItem, AgendaPhase, ContributingFactor, CausalFactor):
                signal.connect(rollups.row_saved, sender=model, dispatch_uid=f"rollups-{model}")
        pre_save.connect(rollups.action_saving, sender=ActionItem, dispatch_uid="rollups-moving")
        changed.connect(rollups.review_changed, dispatch_uid="rollups-changed")
        written_in_bulk.connect(rollups.written_in_bulk, dispatch_uid="rollups-bulk")
        post_migrate.connect(rollups.after_migrate, sender=self, dispatch_uid="rollups-migrate")
