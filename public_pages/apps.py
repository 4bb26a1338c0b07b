from django.apps import AppConfig


class PublicPagesConfig(AppConfig):
    # The package is not called `public`: that import name belongs to the `atpublic`
    # package, which aiosmtpd (the development SMTP sink) imports. The app label and the
    # URL namespace are still "public".
    name = "public_pages"
    label = "public"
    default_auto_field = "django.db.models.BigAutoField"
