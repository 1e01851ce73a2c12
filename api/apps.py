from django.apps import AppConfig

from reviews.events import happened


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from api.webhooks import on_event  # the receiver imports models: only once apps are ready

        happened.connect(on_event, dispatch_uid="api.webhooks")
