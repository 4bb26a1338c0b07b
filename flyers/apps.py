from django.apps import AppConfig


class FlyersConfig(AppConfig):
    name = "flyers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from accounts.roles import ADMIN, ORGANIZER, VOLUNTEER, grant
        from campaigns import dashboard

        from . import goals, panels

        grant(ADMIN, "flyers")
        grant(ORGANIZER, "flyers")
        # Volunteers print flyers and log where they put them (and correct it); nothing else.
        grant(
            VOLUNTEER,
            "flyers.view_flyer",
            "flyers.add_printrun",
            "flyers.view_printrun",
            "flyers.change_printrun",  # their own runs: copies corrected after printing
            "flyers.add_drop",
            "flyers.view_drop",
            "flyers.change_drop",  # their own drops
        )
        goals.register()
        dashboard.register(panels.campaign_panel)
        from accounts import home

        home.land(VOLUNTEER, "flyers:volunteer")  # volunteers log in to the print page
