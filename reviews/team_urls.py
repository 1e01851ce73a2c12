from django.urls import path

from reviews.views import team_settings

app_name = "teams"

urlpatterns = [
    path("", team_settings.team_list, name="list"),
    path("<slug:slug>/settings/", team_settings.team_settings, name="settings"),
    path("<slug:slug>/members/", team_settings.member_add, name="member_add"),
    path("<slug:slug>/members/<int:pk>/role/", team_settings.member_role, name="member_role"),
    path("<slug:slug>/members/<int:pk>/remove/", team_settings.member_remove, name="member_remove"),
    path(
        "<slug:slug>/stakeholders/test/", team_settings.stakeholders_test, name="stakeholders_test"
    ),
    path("<slug:slug>/rota/", team_settings.rota, name="rota"),
]
