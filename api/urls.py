from django.urls import path

from api import views
from api.main import api, docs

# The person's tokens, managed from their settings page.
token_urls = (
    [
        path("new/", views.token_new, name="new"),
        path("<int:pk>/revoke/", views.token_revoke_view, name="revoke"),
    ],
    "tokens",
)

# A team's webhooks, for its delivery owner.
webhook_urls = (
    [
        path("", views.webhooks, name="list"),
        path("<int:pk>/", views.webhook_detail, name="detail"),
        path("<int:pk>/deliveries/<int:delivery>/resend/", views.webhook_resend, name="resend"),
    ],
    "webhooks",
)

urlpatterns = [
    path("api/v1/docs/", docs, name="api_docs"),
    path("api/v1/", api.urls),
]
