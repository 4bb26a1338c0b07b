from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from accounts.roles import ADMIN, ORGANIZER, grant
        from campaigns import dashboard

        from . import goals, panels

        grant(ADMIN, "contacts")
        # Organizers work with supporters; only admins take the whole list away.
        grant(ORGANIZER, "contacts", admin_only=["contacts.export_contacts"])
        goals.register()
        dashboard.register(panels.campaign_panel)
        from . import rotation
        from .models import ENCRYPTED_FIELDS, Contact, Tag

        rotation.register(Contact, [f"{name}_enc" for name in ENCRYPTED_FIELDS])
        rotation.register(Tag, ["name_enc"])
        from accounts import home

        from . import home as home_panels

        home.register(home_panels.home_panel)
