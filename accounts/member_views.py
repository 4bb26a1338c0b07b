"""The users page: invite by one-time link, change role, freeze, deactivate, reactivate
(unfreeze), last login. Every weighty step goes through accounts.confirm; every change is
audited (in accounts.models and accounts.members)."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.forms import SetPasswordForm
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import members
from . import two_factor as two_factor_
from .confirm import Confirmation, confirmed, render_confirmation
from .decorators import admin_required
from .models import EnrolmentLink, audit, deactivate_user, freeze_user, unfreeze_user
from .roles import ROLE_LABELS, ROLES, is_organizer, role_of

ROLE_CHOICES = [(role, ROLE_LABELS[role]) for role in ROLES]


class InviteForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=ROLE_CHOICES)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        field = get_user_model()._meta.get_field(get_user_model().USERNAME_FIELD)
        for validator in field.validators:
            validator(username)
        if get_user_model()._default_manager.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("That username is taken."), code="taken")
        return username


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=ROLE_CHOICES)


def _person(pk):
    return get_object_or_404(get_user_model(), pk=pk)


@admin_required
def users(request, invite_form=None):
    people = get_user_model().objects.order_by("username").prefetch_related("groups")
    # (person, role, role label, whether they use a second factor and so may get an enrolment link)
    rows = [(p, role_of(p), ROLE_LABELS.get(role_of(p), ""), is_organizer(p)) for p in people]
    context = {"rows": rows, "roles": ROLE_CHOICES, "invite_form": invite_form or InviteForm()}
    return render(request, "accounts/users.html", context, status=400 if invite_form else 200)


@admin_required
@require_POST
def invite(request):
    form = InviteForm(request.POST)
    if not form.is_valid():
        return users(request, invite_form=form)
    person = members.invite(form.cleaned_data["username"], form.cleaned_data["role"], by=request.user)
    # One link: with it they set a password, then are taken on to enrol their authenticator app.
    heading = _("%(user)s is invited") % {"user": person.get_username()}
    return _links_page(request, person, heading, with_enrolment=False)


@admin_required
@require_POST
def change_role(request, pk):
    person = _person(pk)
    form = RoleForm(request.POST)
    if person == request.user:
        messages.error(request, _("You cannot change your own role."))
    elif not form.is_valid():
        messages.error(request, _("Unknown role."))
    elif members.change_role(person, form.cleaned_data["role"], by=request.user):
        messages.success(
            request,
            _("%(user)s is now: %(role)s.")
            % {"user": person.get_username(), "role": ROLE_LABELS[form.cleaned_data["role"]]},
        )
    return redirect("accounts:users")


@admin_required
def freeze(request, pk):
    person = _person(pk)
    if person == request.user:
        messages.error(request, _("You cannot freeze your own account."))
        return redirect("accounts:users")
    if not confirmed(request, "freeze"):
        return render_confirmation(
            request,
            Confirmation(
                code="freeze",
                question=_("Freeze %(user)s’s account?") % {"user": person.get_username()},
                consequences=[
                    _("They are logged out everywhere at once and can no longer log in."),
                    _(
                        "Their authenticator app, recovery codes and password stop working: "
                        "a seized phone opens nothing."
                    ),
                    _(
                        "Supporters, campaigns and the audit log are not touched. You can unfreeze the account "
                        "later; they then set a new password and enrol a new phone through one-time links."
                    ),
                ],
                button=_("Yes, freeze the account"),
                action=reverse("accounts:freeze", args=[person.pk]),
                back=reverse("accounts:users"),
            ),
        )
    ended = freeze_user(person, by=request.user)
    messages.success(
        request,
        ngettext(
            "%(user)s is frozen: account disabled, %(n)d session ended, second factors removed.",
            "%(user)s is frozen: account disabled, %(n)d sessions ended, second factors removed.",
            ended,
        )
        % {"user": person.get_username(), "n": ended},
    )
    return redirect("accounts:users")


@admin_required
def deactivate(request, pk):
    person = _person(pk)
    if person == request.user or not person.is_active:
        return redirect("accounts:users")
    if not confirmed(request, "deactivate"):
        return render_confirmation(
            request,
            Confirmation(
                code="deactivate",
                question=_("Deactivate %(user)s’s account?") % {"user": person.get_username()},
                consequences=[
                    _("They are logged out and can no longer log in."),
                    _(
                        "Their password and authenticator app are kept: reactivating the account gives it back "
                        "as it was. If their phone may be in the wrong hands, freeze instead."
                    ),
                ],
                button=_("Yes, deactivate the account"),
                action=reverse("accounts:deactivate", args=[person.pk]),
                back=reverse("accounts:users"),
            ),
        )
    deactivate_user(person, by=request.user)
    messages.success(request, _("%(user)s is deactivated.") % {"user": person.get_username()})
    return redirect("accounts:users")


@admin_required
def unfreeze(request, pk):
    """Reactivate a frozen or deactivated account. No password is typed: a frozen member gets
    a one-time password-set link, and (for roles with a second factor) a new enrolment link,
    shown once here for the admin to hand over."""
    person = _person(pk)
    if person.is_active:
        return redirect("accounts:users")
    if not confirmed(request, "unfreeze"):
        consequences = [_("They can log in again.")]
        if not person.has_usable_password():
            consequences.append(
                _("Nobody types a password: you get a one-time link for them to set their own, shown once.")
            )
        return render_confirmation(
            request,
            Confirmation(
                code="unfreeze",
                question=_("Reactivate %(user)s’s account?") % {"user": person.get_username()},
                consequences=consequences,
                button=_("Yes, reactivate"),
                action=reverse("accounts:unfreeze", args=[person.pk]),
                back=reverse("accounts:users"),
                danger=False,
            ),
        )
    if not unfreeze_user(person, by=request.user):
        return redirect("accounts:users")
    return _links_page(request, person, _("%(user)s can log in again") % {"user": person.get_username()})


def _links_page(request, person, heading, with_enrolment=True):
    """The one-time links for `person`, shown once: set a password (if they have none), then
    enrol an authenticator app (if their role uses one and they have none; an invitation's
    password link leads there by itself)."""
    password_url = enrol_url = None
    if not person.has_usable_password():
        password_url = members.password_set_url(person)
    if with_enrolment and is_organizer(person) and not two_factor_.has_second_factor(person):
        token = two_factor_.create_link(person, by=request.user)
        enrol_url = two_factor_.enrol_url(token)
    context = {
        "person": person,
        "heading": heading,
        "password_url": password_url,
        "uses_second_factor": is_organizer(person),
        "enrol_url": enrol_url,
        "password_hours": int(members.LINK_LIFETIME.total_seconds() // 3600),
        "enrol_hours": two_factor_.link_hours(),
    }
    return render(request, "accounts/member_links.html", context)


@never_cache
def password_set(request, uidb64, token):
    """A member's own one-time link to set their password (an invitation, or after a freeze).
    Then they are logged in and, if their role uses a second factor and they have none, sent
    on to enrol their authenticator app."""
    person = members.user_for_link(uidb64, token)
    if person is None:
        return render(request, "accounts/password_link_closed.html", status=404)
    form = SetPasswordForm(person, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit(person, "user.password_set", person)
        login(request, person, backend="django.contrib.auth.backends.ModelBackend")
        if is_organizer(person) and not two_factor_.has_second_factor(person):
            if EnrolmentLink.objects.filter(user=person, used__isnull=True, expires__gt=timezone.now()).exists():
                return render(request, "accounts/password_set_done.html", {"open_enrolment_link": True})
            enrol_token = two_factor_.create_link(person, by=person)
            return redirect("accounts:enrol", enrol_token)
        return redirect("home")
    return render(request, "accounts/password_set.html", {"form": form, "person": person})
