from django.apps import AppConfig
from django.core import checks


class MessagingConfig(AppConfig):
    name = "messaging"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from accounts.roles import ADMIN, ORGANIZER, grant
        from campaigns import dashboard
        from contacts.models import contact_erased

        from . import (
            emails,
            erasure,
            goals,
            leases,
            panels,
            tracking,  # noqa: F401 - connects the anymail tracking receiver
        )

        grant(ADMIN, "messaging")
        grant(ORGANIZER, "messaging")
        goals.register()
        dashboard.register(panels.campaign_panel)
        from accounts import home

        from . import home as home_panels

        home.register(home_panels.home_panel)
        # One-click unsubscribe links need an https SITE_URL in production: messaging.E001.
        checks.register(emails.one_click_needs_https, checks.Tags.security, deploy=True)
        # An erased contact's deliveries keep their status but nothing that names them.
        contact_erased.connect(erasure.forget_contact, dispatch_uid="messaging.forget_contact")
        # A worker process takes a lease that its claims belong to (messaging/leases.py).
        leases.connect()
