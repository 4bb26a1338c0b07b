from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views

from . import views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("contacts/", include("contacts.urls")),
    # Campaigns mount at the root so the public page /c/<slug>/ shares the "campaigns" namespace.
    path("", include("campaigns.urls")),
    path("flyers/", include("flyers.urls")),
    path("messages/", include("messaging.urls")),
    path("django-admin/", admin.site.urls),
]

# Public, login-free pages: signup, unsubscribe and webhooks (the campaign page /c/<slug>/
# is in campaigns/urls.py).
urlpatterns += [
    path("", include("contacts.public_urls")),
    path("", include("messaging.public_urls")),
]
