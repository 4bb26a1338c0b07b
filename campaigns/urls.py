from django.urls import path

from . import views

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
]
