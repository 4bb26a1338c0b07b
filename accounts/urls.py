from django.contrib.auth import views as auth_views
from django.urls import path

from . import audit_views, member_views, organisation_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("users/", member_views.users, name="users"),
    path("users/invite/", member_views.invite, name="invite"),
    path("users/<int:pk>/role/", member_views.change_role, name="role"),
    path("users/<int:pk>/freeze/", member_views.freeze, name="freeze"),
    path("users/<int:pk>/deactivate/", member_views.deactivate, name="deactivate"),
    path("users/<int:pk>/unfreeze/", member_views.unfreeze, name="unfreeze"),
    path("password/<str:uidb64>/<str:token>/", member_views.password_set, name="password_set"),
    path("users/<int:pk>/enrolment-link/", views.enrolment_link, name="enrolment_link"),
    path("enrol/<str:token>/", views.enrol, name="enrol"),
    path("audit/", audit_views.audit_log, name="audit"),
    path("audit/export.csv", audit_views.audit_csv, name="audit_csv"),
    path("organisation/", organisation_views.organisation, name="organisation"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<str:name>", views.outbox_file, name="outbox_file"),
]
