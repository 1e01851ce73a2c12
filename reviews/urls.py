from django.urls import path

from reviews.views import accounts, prepare, timeline

app_name = "reviews"

review = "reviews/<slug:slug>/"

urlpatterns = [
    path("", prepare.review_list, name="list"),
    path("reviews/new/", prepare.review_new, name="new"),
    path(review, prepare.review_detail, name="detail"),
    path(review + "edit/", prepare.review_edit, name="edit"),
    path(review + "cancel/", prepare.review_cancel_view, name="cancel"),
    path(review + "people/", prepare.review_people, name="people"),
    path(review + "people/<int:pk>/role/", prepare.participant_role, name="participant_role"),
    path(
        review + "people/<int:pk>/remove/",
        prepare.participant_remove_view,
        name="participant_remove",
    ),
    path(review + "invitations/", prepare.invitations_send_view, name="invite"),
    path(review + "account/", accounts.account_edit, name="account"),
    path(review + "account/save/", accounts.account_save_view, name="account_save"),
    path(review + "accounts/", accounts.account_list, name="accounts"),
    path(review + "accounts/<int:pk>/", accounts.account_detail, name="account_detail"),
    path(review + "accounts/<int:pk>/promote/", accounts.account_promote, name="account_promote"),
    path(review + "accounts/<int:pk>/remind/", accounts.account_remind_view, name="account_remind"),
    path(review + "timeline/", timeline.timeline, name="timeline"),
    path(review + "timeline/add/", timeline.entry_add, name="timeline_add"),
    path(review + "timeline/<int:pk>/edit/", timeline.entry_edit, name="timeline_edit"),
    path(review + "timeline/<int:pk>/delete/", timeline.entry_delete, name="timeline_delete"),
    path(review + "timeline/import/", timeline.import_upload, name="timeline_import"),
    path(
        review + "timeline/import/<int:pk>/",
        timeline.import_preview,
        name="timeline_import_preview",
    ),
]
