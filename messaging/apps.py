from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from accounts.roles import ADMIN, ORGANIZER, grant
        from campaigns import dashboard
        from contacts.models import contact_erased

        from . import (
            erasure,
            goals,
            panels,
            tracking,  # noqa: F401 - connects the anymail tracking receiver
        )

        grant(ADMIN, "messaging")
        grant(ORGANIZER, "messaging")
        goals.register()
        dashboard.register(panels.campaign_panel)
        # An erased contact's deliveries keep their status but nothing that names them.
        contact_erased.connect(erasure.forget_contact, dispatch_uid="messaging.forget_contact")
