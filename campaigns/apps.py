from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from accounts.roles import ADMIN, ORGANIZER, VOLUNTEER, grant

        grant(ADMIN, "campaigns")
        grant(ORGANIZER, "campaigns")
        grant(VOLUNTEER, "campaigns.view_campaign")
        from accounts import home

        from . import home as home_panels

        home.register(home_panels.home_panel)
