from django.apps import AppConfig


class FlyersConfig(AppConfig):
    name = "flyers"
    default_auto_field = "django.db.models.BigAutoField"
