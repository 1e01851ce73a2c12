from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from api.webhooks import on_event  # the receiver imports models: only once apps are ready
        from reviews.events import happened

        happened.connect(on_event, dispatch_uid="api.webhooks")
