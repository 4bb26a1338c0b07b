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
    path("", include("campaigns.urls")),
    path("flyers/", include("flyers.urls")),
    path("messages/", include("messaging.urls")),
    path("asks/", include("asks.urls")),
    path("django-admin/", admin.site.urls),
]

# Every login-free page: /c/<slug>/, /signup/, /u/<token>/, /webhooks/ (see public_pages/).
urlpatterns += [path("", include("public_pages.urls"))]
