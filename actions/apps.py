from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = "Actions"

    def ready(self) -> None:
        from django.db.models.signals import post_save  # with the receiver it connects

        from actions import emails  # noqa: F401 - registers the email renderers
        from actions.models import ActionItem  # models load once the apps are ready
        from reviews.models import Review  # models load once the apps are ready

        def kind_follows(instance: Review, raw: bool = False, **_: object) -> None:
            """A review's actions carry its kind: they follow when it changes."""
            ActionItem.objects.filter(review_id=instance.pk).exclude(kind=instance.kind).update(
                kind=instance.kind
            )

        post_save.connect(
            kind_follows, sender=Review, dispatch_uid="actions-kind-follows", weak=False
        )
