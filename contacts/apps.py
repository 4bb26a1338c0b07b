from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from campaigns import dashboard

        from . import goals, panels

        goals.register()
        dashboard.register(panels.campaign_panel)
