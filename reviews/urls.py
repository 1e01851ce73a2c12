from django.urls import path

from reviews.views import accounts, meeting, prepare, reports, stream, timeline

app_name = "reviews"

review = "reviews/<slug:slug>/"

urlpatterns = [
    # First: the meeting poll is the most frequent request by far.
    path(review + "meeting/poll/", meeting.poll, name="poll"),
    path(review + "meeting/stream/", stream.meeting_stream, name="stream"),
    path("", prepare.review_list, name="list"),
    path("reviews/new/", prepare.review_new, name="new"),
    path(review, prepare.review_detail, name="detail"),
    path(review + "edit/", prepare.review_edit, name="edit"),
    path(review + "cancel/", prepare.review_cancel_view, name="cancel"),
    path(review + "publish/", reports.publish, name="publish"),
    path(review + "exports/retry/", reports.exports_retry_view, name="exports_retry"),
    path(review + "pull-request/", reports.pr_sections, name="pr_sections"),
    path(review + "people/", prepare.review_people, name="people"),
    path(review + "people/<int:pk>/role/", prepare.participant_role, name="participant_role"),
    path(
        review + "people/<int:pk>/remove/",
        prepare.participant_remove_view,
        name="participant_remove",
    ),
    path(
        review + "people/<int:pk>/sealed/",
        prepare.lead_allow_sealed_view,
        name="lead_allow_sealed",
    ),
    path(review + "invitations/", prepare.invitations_send_view, name="invite"),
    path(review + "account/", accounts.account_edit, name="account"),
    path(review + "account/save/", accounts.account_save_view, name="account_save"),
    path(review + "accounts/", accounts.account_list, name="accounts"),
    path(review + "accounts/<int:pk>/", accounts.account_detail, name="account_detail"),
    path(review + "accounts/<int:pk>/promote/", accounts.account_promote, name="account_promote"),
    path(
        review + "accounts/<int:pk>/withhold/",
        accounts.account_withhold_view,
        name="account_withhold",
    ),
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
    path(review + "meeting/", meeting.meeting, name="meeting"),
    path(review + "meeting/presenter/", meeting.presenter, name="presenter"),
    path(review + "meeting/agenda/", meeting.agenda_edit, name="agenda"),
    path(review + "meeting/control/start/", meeting.control_start, name="control_start"),
    path(review + "meeting/control/pause/", meeting.control_pause, name="control_pause"),
    path(review + "meeting/control/resume/", meeting.control_resume, name="control_resume"),
    path(review + "meeting/control/extend/", meeting.control_extend, name="control_extend"),
    path(review + "meeting/control/next/", meeting.control_next, name="control_next"),
    path(review + "meeting/control/previous/", meeting.control_previous, name="control_previous"),
    path(review + "meeting/control/reveal/", meeting.control_reveal, name="control_reveal"),
    path(review + "meeting/control/end/", meeting.control_end, name="control_end"),
    path(review + "meeting/control/take/", meeting.control_take, name="control_take"),
    path(review + "meeting/control/ready/", meeting.control_ready_ask, name="control_ready_ask"),
    path(
        review + "meeting/control/ready/close/",
        meeting.control_ready_close,
        name="control_ready_close",
    ),
    path(
        review + "meeting/control/hands/lower/",
        meeting.control_hand_lower,
        name="control_hand_lower",
    ),
    path(
        review + "meeting/control/hand-over/", meeting.control_hand_over, name="control_hand_over"
    ),
    path(review + "meeting/hand/", meeting.room_hand, name="room_hand"),
    path(review + "meeting/ready/", meeting.room_ready, name="room_ready"),
    path(review + "meeting/here/", meeting.room_here, name="room_here"),
    path(review + "meeting/summary/", meeting.summary_edit, name="summary"),
    path(review + "meeting/method/", meeting.method_set, name="method"),
    path(review + "meeting/findings/<str:kind>/", meeting.finding_add_view, name="finding_add"),
    path(
        review + "meeting/findings/<str:kind>/<int:pk>/",
        meeting.finding_edit_view,
        name="finding_edit",
    ),
    path(
        review + "meeting/findings/<str:kind>/<int:pk>/delete/",
        meeting.finding_delete_view,
        name="finding_delete",
    ),
    path(review + "meeting/undo/", meeting.undo_view, name="meeting_undo"),
    path(review + "meeting/entries/", meeting.entry_add_view, name="meeting_entry"),
    path(
        review + "meeting/entries/<int:pk>/edit/",
        meeting.entry_edit_view,
        name="meeting_entry_edit",
    ),
    path(
        review + "meeting/entries/<int:pk>/delete/",
        meeting.entry_delete_view,
        name="meeting_entry_delete",
    ),
    path(
        review + "meeting/entries/<int:pk>/dispute/",
        meeting.entry_dispute_view,
        name="entry_dispute",
    ),
    path(
        review + "meeting/entries/<int:pk>/resolve/",
        meeting.entry_resolve_view,
        name="entry_resolve",
    ),
    path(review + "meeting/actions/", meeting.action_add_view, name="meeting_action"),
    path(
        review + "meeting/actions/<int:pk>/edit/",
        meeting.action_edit_view,
        name="meeting_action_edit",
    ),
    path(
        review + "meeting/actions/<int:pk>/delete/",
        meeting.action_delete_view,
        name="meeting_action_delete",
    ),
    path(review + "meeting/suggestions/", meeting.suggestion_add_view, name="suggest"),
    path(
        review + "meeting/suggestions/<int:pk>/",
        meeting.suggestion_decide_view,
        name="suggestion_decide",
    ),
    path(review + "meeting/notes/", meeting.notes_save, name="notes"),
]
