"""Login-free pages: unsubscribe and preferences (/u/…) and provider webhooks (/webhooks/…)."""

from django.urls import include, path

from . import public_views, tracking

app_name = "messaging_public"
urlpatterns = [
    path("u/<str:token>/", public_views.unsubscribe, name="unsubscribe"),
    path("u/<str:token>/preferences/", public_views.preferences, name="preferences"),
    path("webhooks/anymail/", include(tracking.guarded_anymail_urls())),
]
