from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from accounts.roles import ADMIN, ORGANIZER, grant
        from campaigns import dashboard

        from . import (
            goals,
            panels,
            tracking,  # noqa: F401 - connects the anymail tracking receiver
        )

        grant(ADMIN, "messaging")
        grant(ORGANIZER, "messaging")
        goals.register()
        dashboard.register(panels.campaign_panel)
