import segno
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.mail import outbox_messages, outbox_path

from .decorators import admin_required, staff_required
from .forms import TokenForm
from .models import AuditEvent, audit, freeze_user
from .roles import ROLE_LABELS, ROLES, is_organizer, role_of


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


def two_factor(request):
    """Second step of login: set up TOTP on first use, then ask for a code."""
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:login")
    if user.is_verified() or not is_organizer(user):
        return redirect("home")

    setting_up = not user_has_device(user, confirmed=True)
    device = None
    if setting_up:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    else:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()

    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            if setting_up:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                audit(user, "user.2fa_enabled", user)
            otp_login(request, device)
            target = request.GET.get("next", "")
            safe = url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
            return redirect(target if target and safe else "home")
        form.add_error("token", _("That code is not right. Check your phone's clock and try the newest code."))

    context = {"form": form, "setting_up": setting_up}
    if setting_up:
        qr = segno.make(device.config_url, error="m")
        context["qr_svg"] = qr.svg_inline(scale=4, dark="#111", light="#fff")
        context["secret"] = device.config_url.split("secret=")[1].split("&")[0]
    return render(request, "accounts/two_factor.html", context)


@staff_required
def home(request):
    return render(request, "home.html", {"role": role_of(request.user)})


@admin_required
def users(request):
    people = get_user_model().objects.order_by("username").prefetch_related("groups")
    rows = [(person, ROLE_LABELS.get(role_of(person), "")) for person in people]
    return render(request, "accounts/users.html", {"rows": rows, "roles": ROLES})


@admin_required
@require_POST
def freeze(request, pk):
    person = get_object_or_404(get_user_model(), pk=pk)
    if person == request.user:
        messages.error(request, _("You cannot freeze your own account."))
        return redirect("accounts:users")
    ended = freeze_user(person, by=request.user)
    messages.success(
        request,
        _("%(user)s is frozen: account disabled, %(n)d sessions ended, second factors removed.")
        % {"user": person.get_username(), "n": ended},
    )
    return redirect("accounts:users")


@admin_required
def audit_log(request):
    events = AuditEvent.objects.select_related("actor")[:200]
    return render(request, "accounts/audit_log.html", {"events": events})


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
