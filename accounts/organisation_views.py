"""The organisation profile's settings page (admins only, audited)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from organisation.forms import OrganisationForm
from organisation.models import Organisation

from .decorators import admin_required
from .models import audit


@admin_required
def organisation(request):
    """Names, logo, sender name, contact line and colour that supporters see. A refused
    upload (not an image, too large, too many pixels) re-shows the form with a 422."""
    profile = Organisation.current()
    if request.method == "POST":
        form = OrganisationForm(request.POST, request.FILES, instance=profile)
        if form.is_valid():
            changed = form.changed_fields()
            form.save()
            # Field names only: the profile is public, but the audit log never carries values.
            audit(request.user, "organisation.updated", profile, fields=changed)
            messages.success(request, _("The organisation profile is saved."))
            return redirect("accounts:organisation")
        status = 422
    else:
        form = OrganisationForm(instance=profile)
        status = 200
    return render(request, "accounts/organisation.html", {"form": form, "profile": profile}, status=status)
