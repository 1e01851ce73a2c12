from django.contrib import admin
from django.urls import include, path

from aar_project.views import favicon, healthz
from api import urls as api_urls
from reviews.views import auth, hints, setup, sso

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Browsers and feed readers ask for /favicon.ico whatever the page says.
    path("favicon.ico", favicon, name="favicon"),
    path("setup/", setup.setup, name="setup"),
    path("accounts/login/", auth.sign_in, name="login"),
    path("accounts/logout/", auth.sign_out, name="logout"),
    path("accounts/sso/", sso.start, name="oidc_start"),
    path("accounts/sso/callback/", sso.callback, name="oidc_callback"),
    path("accounts/link/", auth.link_request, name="link_request"),
    path("accounts/link/open/", auth.link_open, name="link_open"),
    path("hints/", hints.hints, name="hints"),
    path("hints/dismiss/", hints.dismiss, name="hints_dismiss"),
    path("admin/login/", auth.admin_sign_in, name="admin_sign_in"),
    path("admin/", admin.site.urls),
    path("organisation/", include("reviews.organisation_urls")),
    path("teams/", include("reviews.team_urls")),
    path("dashboard/", include("dashboard.urls")),
    path("actions/settings/tokens/", include(api_urls.token_urls)),
    path("teams/<slug:slug>/webhooks/", include(api_urls.webhook_urls)),
    path("", include(api_urls)),
    path("actions/", include("actions.urls")),
    path("reports/", include("reviews.report_urls")),
    path("", include("reviews.urls")),
]
