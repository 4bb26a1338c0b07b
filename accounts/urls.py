from django.contrib.auth import views as auth_views
from django.urls import path

from . import organisation_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("users/", views.users, name="users"),
    path("users/<int:pk>/freeze/", views.freeze, name="freeze"),
    path("users/<int:pk>/enrolment-link/", views.enrolment_link, name="enrolment_link"),
    path("enrol/<str:token>/", views.enrol, name="enrol"),
    path("audit/", views.audit_log, name="audit"),
    path("organisation/", organisation_views.organisation, name="organisation"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<str:name>", views.outbox_file, name="outbox_file"),
]
