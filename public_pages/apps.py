from django.apps import AppConfig


class PublicPagesConfig(AppConfig):
    # The package is not called `public`: that import name belongs to the `atpublic`
    # package, which aiosmtpd (the development SMTP sink) imports. The app label and the
    # URL namespace are still "public".
    name = "public_pages"
    label = "public"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from asks.models import Ask, status_changed
        from campaigns.models import Campaign

        from .ask_pages import RECENT_ASKS

        for model in (Ask, Campaign):
            post_save.connect(RECENT_ASKS.clear, sender=model, dispatch_uid=f"recent-asks-save-{model.__name__}")
            post_delete.connect(RECENT_ASKS.clear, sender=model, dispatch_uid=f"recent-asks-delete-{model.__name__}")
        status_changed.connect(RECENT_ASKS.clear, dispatch_uid="recent-asks-status")
