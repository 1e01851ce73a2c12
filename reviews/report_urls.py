from django.urls import path

from reviews.views import reports

app_name = "reports"

urlpatterns = [
    path("", reports.report_archive, name="archive"),
    path("<slug:slug>/", reports.report_detail, name="detail"),
    path("<slug:slug>/download/<str:file_format>/", reports.report_download, name="download"),
    path("<slug:slug>/external/", reports.report_external, name="external"),
]
