from django.urls import path

from . import views

app_name = "messaging"
urlpatterns = [
    path("", views.message_list, name="list"),
    path("new/", views.compose, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.compose, name="edit"),
    path("<int:pk>/preview/<str:language>/", views.preview, name="preview"),
    path("<int:pk>/test/", views.send_test, name="test"),
    path("<int:pk>/send/", views.send_now, name="send"),
    path("<int:pk>/schedule/", views.schedule, name="schedule"),
    path("<int:pk>/progress.json", views.progress, name="progress"),
    path("<int:pk>/<str:action>/", views.act, name="act"),
]
