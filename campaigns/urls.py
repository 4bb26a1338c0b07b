from django.urls import path

from . import views

# Mounted at the site root (hamla/urls.py) so the login-free public page /c/<slug>/
# can share the "campaigns" namespace with the organizer pages under /campaigns/.
app_name = "campaigns"
urlpatterns = [
    path("campaigns/", views.campaign_list, name="list"),
    path("campaigns/new/", views.campaign_create, name="create"),
    path("campaigns/history/", views.history, name="history"),
    path("campaigns/history/report.pdf", views.history_report, name="history_report"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="detail"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="edit"),
    path("campaigns/<int:pk>/status/", views.campaign_status, name="status"),
    path("campaigns/<int:pk>/actions/new/", views.action_add, name="action_add"),
    path("campaigns/<int:pk>/actions/<int:action_pk>/edit/", views.action_edit, name="action_edit"),
    # Public, no login; /c/ is exempt from the staff two-factor check.
    path("c/<slug:slug>/", views.public, name="public"),
]
