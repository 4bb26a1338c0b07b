from django.urls import path

from . import views

# Login-free pages; /signup/ is exempt from the staff two-factor check.
urlpatterns = [
    path("signup/", views.signup, name="contacts_signup"),
    path("signup/confirm/<str:token>/", views.signup_confirm, name="contacts_signup_confirm"),
]
