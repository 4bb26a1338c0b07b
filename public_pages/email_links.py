"""Supporter-facing pages reached from an email: one-click unsubscribe and preferences."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from contacts.models import Contact, Membership
from messaging import tokens
from messaging.forms import PreferencesForm
from messaging.models import Message


def _recipient(token):
    """(contact, message or None) for a valid token, else 404 — a forged token learns nothing."""
    parsed = tokens.read(token)
    if parsed is None:
        raise Http404("invalid link")
    contact = Contact.objects.filter(pk=parsed[0]).first()
    if contact is None:
        raise Http404("invalid link")
    message = Message.objects.filter(pk=parsed[1]).first() if parsed[1] else None
    return contact, message


def _language(request, contact):
    """The language the visitor picked with the switcher, else the one they receive emails in."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in ("ar", "en"):
        return chosen
    return "en" if contact.language in ("en", "tr") else "ar"


@csrf_exempt  # RFC 8058: mail providers POST "List-Unsubscribe=One-Click" with no cookie or token.
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET shows a confirm button (link scanners follow GETs); POST unsubscribes. Idempotent."""
    contact, message = _recipient(token)
    with translation.override(_language(request, contact)):
        if request.method == "POST":
            contact.unsubscribe("one_click", message=message)
            return render(request, "public/unsubscribed.html", {"token": token})
        return render(
            request,
            "public/unsubscribe.html",
            {"token": token, "already": contact.status == Contact.Status.UNSUBSCRIBED},
        )


@csrf_exempt  # reached only with a signed per-recipient token, which is the credential here
@require_http_methods(["GET", "POST"])
def preferences(request, token):
    contact, _message = _recipient(token)
    memberships = Membership.objects.filter(contact=contact, subscribed=True).select_related("contact_list")
    lists = [m.contact_list for m in memberships]
    form = PreferencesForm(request.POST or None, contact=contact, lists=lists)
    saved = False
    if request.method == "POST" and form.is_valid():
        contact.change_language(form.cleaned_data["language"], method="preferences")
        for contact_list in lists:
            if str(contact_list.pk) in form.cleaned_data["leave"]:
                contact.leave_list(contact_list, method="preferences")
        saved = True
        lists = [m.contact_list for m in Membership.objects.filter(contact=contact, subscribed=True)]
        form = PreferencesForm(contact=contact, lists=lists)
    with translation.override(_language(request, contact)):
        return render(
            request,
            "public/preferences.html",
            {"form": form, "token": token, "saved": saved, "subscribed": contact.is_sendable},
        )
