from django.urls import path

from reviews.views import reviews

app_name = "reviews"

urlpatterns = [
    path("", reviews.review_list, name="list"),
]
