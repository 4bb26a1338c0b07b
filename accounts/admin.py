"""Django's admin shows no second-factor secret.

django-otp registers admin pages for its TOTP and static devices that can show a seed
(and its QR code) or the stored recovery-code digests; they are unregistered here.
Hamla's own TOTP devices are listed for admins to see who has one and to delete a
lost phone's device, with no seed field and no way to add one (enrolment goes through
a one-time link, accounts/two_factor.py)."""

import django_otp.plugins.otp_static.admin  # noqa: F401  (registered first, so it can be unregistered)
import django_otp.plugins.otp_totp.admin  # noqa: F401
from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import EncryptedTOTPDevice

for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(EncryptedTOTPDevice)
class EncryptedTOTPDeviceAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
