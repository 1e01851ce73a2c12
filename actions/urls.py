from django.urls import path

from actions import views

app_name = "actions"

urlpatterns = [
    path("mine/", views.my_actions, name="mine"),
]
