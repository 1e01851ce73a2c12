from django.urls import path

from actions import views

app_name = "actions"

urlpatterns = [
    path("mine/", views.my_actions, name="mine"),
    path("settings/", views.action_settings, name="settings"),
    path("feed/<str:token>.ics", views.calendar_feed, name="feed"),
    path("team/<slug:slug>/", views.team_actions, name="team"),
    path("teams/", views.owned_actions, name="owned"),
    path("resurfaced/<int:pk>/", views.resurfaced_decide_view, name="resurfaced"),
    path("<int:pk>/", views.action_detail, name="detail"),
    path("<int:pk>/status/", views.action_status, name="status"),
    path("<int:pk>/due/", views.action_due, name="due"),
    path("<int:pk>/owner/", views.action_owner, name="owner"),
    path("<int:pk>/edit/", views.action_edit_view, name="edit"),
]
