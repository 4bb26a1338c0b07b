"""The login-free URLs. Everything under the "public" namespace is reachable without an
account and exempt from the staff two-factor check (accounts.middleware)."""

from django.urls import include, path

from messaging.tracking import guarded_anymail_urls

from . import ask_links, ask_pages, email_links, views

app_name = "public"
urlpatterns = [
    path("c/<slug:slug>/", views.campaign, name="campaign"),
    path("c/<slug:slug>/<slug:ask_slug>/", ask_pages.ask, name="ask"),
    path("respond/confirm/<str:token>/", ask_pages.response_confirm, name="response_confirm"),
    path("r/<str:code>", views.short_link, name="short_link"),  # printed under a print run's QR code
    path("signup/", views.signup, name="signup"),
    path("signup/confirm/<str:token>/", views.signup_confirm, name="signup_confirm"),
    path("rsvp/withdraw/<str:token>/", ask_links.withdraw, name="ask_withdraw"),  # "I can't come"
    path("u/<str:token>/", email_links.unsubscribe, name="unsubscribe"),
    path("u/<str:token>/preferences/", email_links.preferences, name="preferences"),
    path("webhooks/anymail/", include(guarded_anymail_urls())),
]
