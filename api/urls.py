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

urlpatterns = [
    path("api/v1/docs/", docs, name="api_docs"),
    path("api/v1/", api.urls),
]
