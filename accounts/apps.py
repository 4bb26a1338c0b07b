from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_migrate, pre_save


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from axes.signals import user_locked_out

        from . import signals
        from .roles import sync_roles

        post_migrate.connect(sync_roles, dispatch_uid="accounts.sync_roles")
        user_logged_in.connect(signals.logged_in, dispatch_uid="accounts.audit_login")
        user_login_failed.connect(signals.login_failed, dispatch_uid="accounts.audit_login_failed")
        user_locked_out.connect(signals.locked_out, dispatch_uid="accounts.audit_locked_out")
        # django-otp's own TOTP device keeps its seed in clear: nothing may save one.
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from .two_factor import refuse_clear_seed

        pre_save.connect(refuse_clear_seed, sender=TOTPDevice, dispatch_uid="accounts.refuse_clear_seed")
