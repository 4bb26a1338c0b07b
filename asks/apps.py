from django.apps import AppConfig


class AsksConfig(AppConfig):
    name = "asks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from accounts.roles import ADMIN, ORGANIZER, grant

        grant(ADMIN, "asks")
        # Organizers run asks and read who responded; volunteers get nothing here (personal data).
        grant(ORGANIZER, "asks")

        from . import flyer_targets

        flyer_targets.register()  # a flyer's QR code may lead to an ask; responses per print run

        from campaigns import dashboard, results

        from . import goals, panels

        goals.register()  # a bar per ask with a goal; events' check-ins into participants
        dashboard.register(panels.campaign_panel)
        results.register(panels.history_results)

        from campaigns.models import cancelled

        from .models import cancel_with_campaign

        cancelled.connect(cancel_with_campaign, dispatch_uid="asks.cancel_with_campaign")

        from contacts import rotation

        from .models import Ask, Response

        rotation.register(Ask, ["place_enc"])
        rotation.register(
            Response, ["given_name_enc", "family_name_enc", "email_enc", "phone_enc", "neighbourhood_enc"]
        )
