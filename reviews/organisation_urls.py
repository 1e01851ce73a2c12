from django.urls import path

from reviews.views import organisation

app_name = "org"

urlpatterns = [
    path("people/", organisation.people, name="people"),
    path("people/<int:pk>/", organisation.person, name="person"),
    path("people/<int:pk>/deactivate/", organisation.person_deactivate_view, name="deactivate"),
    path("people/<int:pk>/reactivate/", organisation.person_reactivate_view, name="reactivate"),
    path("people/<int:pk>/staff/", organisation.person_staff_view, name="staff"),
    path("people/<int:pk>/reassign/", organisation.person_reassign_view, name="reassign"),
    path("teams/", organisation.teams, name="teams"),
    path("teams/<slug:slug>/rename/", organisation.team_rename_view, name="team_rename"),
    path("teams/<slug:slug>/archive/", organisation.team_archive_view, name="team_archive"),
    path("defaults/", organisation.defaults, name="defaults"),
]
