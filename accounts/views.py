import segno
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from core.mail import outbox_messages, outbox_path

from . import home as home_
from . import two_factor as two_factor_
from .decorators import admin_required, staff_required
from .forms import TokenForm
from .models import audit
from .roles import is_organizer, role_of


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        """Where a role lands when no `next` says otherwise (see accounts.home.land)."""
        target = home_.landing(role_of(self.request.user))
        return reverse(target) if target else super().get_default_redirect_url()


def two_factor(request):
    """Second step of login: a code from the authenticator app, or a recovery code.

    Without a second factor there is nothing to type and nothing is shown but how to get
    one: an admin creates an enrolment link (a password alone never reveals a seed)."""
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:login")
    if user.is_verified() or not is_organizer(user):
        return redirect("home")
    if not two_factor_.has_second_factor(user):
        return render(request, "accounts/two_factor.html", {"needs_link": True})

    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor_.verify(user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            if device.name == two_factor_.RECOVERY_DEVICE:
                left = two_factor_.recovery_codes_left(user)
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code; %(n)d is left. Ask an admin for a new enrolment link.",
                        "You used a recovery code; %(n)d are left. Ask an admin for a new enrolment link.",
                        left,
                    )
                    % {"n": left},
                )
            target = request.GET.get("next", "")
            safe = url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
            return redirect(target if target and safe else "home")
        form.add_error("token", _("That code is not right. Check your phone's clock and try the newest code."))
    return render(request, "accounts/two_factor.html", {"form": form})


@admin_required
@require_POST
def enrolment_link(request, pk):
    """Create a one-time link for `pk` to set up their authenticator app (audited). The
    link is shown on this response only: the database keeps a hash of it."""
    person = get_object_or_404(get_user_model(), pk=pk, is_active=True)
    if not is_organizer(person):
        messages.error(request, _("Volunteers do not use a second factor."))
        return redirect("accounts:users")
    token = two_factor_.create_link(person, by=request.user)
    context = {"person": person, "url": two_factor_.enrol_url(token), "hours": two_factor_.link_hours()}
    return render(request, "accounts/enrolment_link.html", context)


@never_cache
def enrol(request, token):
    """The enrolment link's page: for its own user only (logged in with their password), it
    shows a new seed as a QR code and an otpauth:// link, then a right code confirms it and
    the recovery codes are shown, once."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    link = two_factor_.open_link(token, user)
    if link is None:
        return render(request, "accounts/enrol_closed.html", status=404)
    form = TokenForm(request.POST or None)
    device = None
    if request.method == "POST" and form.is_valid():
        try:
            done = two_factor_.confirm(link, form.cleaned_data["token"])
        except two_factor_.LinkClosed:
            return render(request, "accounts/enrol_closed.html", status=404)
        if done is not None:
            device, codes = done
            otp_login(request, device)
            return render(request, "accounts/recovery_codes.html", {"codes": codes})
        form.add_error("token", _("That code is not right. Check your phone's clock and try the newest code."))
        device = link.device  # the seed just scanned, still unconfirmed: show the same one
    if device is None:
        device = two_factor_.start(link)
    config_url = device.config_url
    context = {
        "form": form,
        "config_url": config_url,
        "qr_svg": segno.make(config_url, error="m").svg_inline(scale=4, dark="#111", light="#fff"),
        "manual_key": two_factor_.manual_key(device),
    }
    return render(request, "accounts/enrol.html", context)


@staff_required
def home(request):
    """The dashboard: what is happening now, in the panels the apps above contribute."""
    return render(request, "home.html", {"role": role_of(request.user), "panels": home_.panels_for(request)})


@admin_required
def outbox(request):
    # Confirmation mails in the outbox carry supporters' addresses.
    audit(request.user, "outbox.viewed")
    return render(request, "accounts/outbox.html", {"messages_": outbox_messages()})


@admin_required
def outbox_file(request, name):
    path = outbox_path(name)
    if path is None:
        raise Http404
    audit(request.user, "outbox.downloaded", file=name)
    return FileResponse(path.open("rb"), content_type="message/rfc822", as_attachment=True, filename=name)
