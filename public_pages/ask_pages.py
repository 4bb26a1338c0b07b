"""The public side of a campaign's asks: an ask's own page with its form, the block the
campaign page shows its current ask in, and the confirmation link's pages.

Every page works without JavaScript and shows an event's date in its own time zone with
its area only: the exact place (Ask.place) is for confirmed attendees' mail
(asks/event_mail.py) and is never read here.
"""

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from asks import counts
from asks.emails import mail_language
from asks.models import Ask, Response
from asks.public_forms import form_for
from asks.responses import Closed, RateLimited, confirm_response, request_response, response_for_token
from core.db.compiled import CompiledQuery
from core.i18n import LANGUAGES, current_language
from core.recent import Recent

from . import attribution

# The thank-you's ?sent= values: how the person will confirm (asks.responses.request_response).
REACHES = ("email", "phone")


def public_ask(campaign_slug, ask_slug):
    """The ask anyone may read at this address, or 404: drafts, asks of a campaign with no
    public page or a cancelled one, and malformed slugs alike."""
    ask = RECENT_ASKS.get(
        (campaign_slug, ask_slug), lambda: PUBLIC_ASK.first(campaign_slug=campaign_slug, ask_slug=ask_slug)
    )
    if ask is None:
        raise Http404
    return ask


# Every page view and POST of a burst reads the same ask: kept for two seconds in each
# process, it is one database round trip fewer per signature (`manage.py bench signatures`).
# An organizer's change reaches the other processes up to two seconds late: an answer
# stored meanwhile to an ask just closed stays pending and unconfirmable, and is purged
# (asks.responses.unconfirmed); this process forgets at once (apps.py, on save or delete).
RECENT_ASKS = Recent(seconds=2)


# Every public ask page and every signature looks its ask up: building and compiling this
# queryset per request was the largest part of the CPU a signature's POST spent in Python
# (1.1 of 5.5 ms), so it is compiled once per process (core/db/compiled.py). Slugs hold no
# NUL byte, so the marks are no real slug; (campaign slug, ask slug) is unique: one row at most.
PUBLIC_ASK = CompiledQuery(
    lambda campaign_slug, ask_slug: Ask.objects.public()
    .select_related("campaign")
    .filter(campaign__slug=campaign_slug, slug=ask_slug)
    .order_by(),
    campaign_slug="\x00campaign-slug",
    ask_slug="\x00ask-slug",
)


def written_language(obj):
    """The language a page about `obj` opens in for a visitor who has not chosen one: the
    one its title is written in when only one is, else the organisation's default."""
    written = [code for code in LANGUAGES if getattr(obj, f"title_{code}")]
    return written[0] if len(written) == 1 else settings.LANGUAGE_CODE


def goal_of(ask):
    """The figure the goal bar fills towards: the goal, else an event's capacity (or None)."""
    return ask.goal or (ask.capacity if ask.is_event else None)


def count_sentence(ask, count, language):
    """ "1,234 signatures of 5,000" in `language` (Arabic plurals follow the count)."""
    goal = goal_of(ask)
    figures = {"count": f"{count:,}", "goal": f"{goal:,}" if goal else ""}
    with translation.override(language):
        if ask.kind == Ask.Kind.PETITION:
            sentence = (
                ngettext("%(count)s signature of %(goal)s", "%(count)s signatures of %(goal)s", count)
                if goal
                else ngettext("%(count)s signature", "%(count)s signatures", count)
            )
        elif ask.kind == Ask.Kind.PLEDGE:
            sentence = (
                ngettext("%(count)s pledge of %(goal)s", "%(count)s pledges of %(goal)s", count)
                if goal
                else ngettext("%(count)s pledge", "%(count)s pledges", count)
            )
        else:
            sentence = (
                ngettext("%(count)s coming of %(goal)s places", "%(count)s coming of %(goal)s places", count)
                if goal
                else ngettext("%(count)s coming", "%(count)s coming", count)
            )
        return sentence % figures


def goal_context(ask, count):
    """The goal bar: its figures, and its sentence in the page's language first, then in the
    other one when the ask is written in both (the count in both languages)."""
    first = current_language()
    languages = [first]
    if ask.title_ar and ask.title_en:
        languages.append("en" if first == "ar" else "ar")
    sentences = [(code, "rtl" if code == "ar" else "ltr", count_sentence(ask, count, code)) for code in languages]
    goal = goal_of(ask)
    return {"count": count, "goal": goal, "bar_max": max(goal or 0, count, 1), "sentences": sentences}


def ask_context(request, ask, print_run, form=None, full=True):
    """What templates/public/_ask.html needs for `ask`: the goal bar, the form while the ask is
    open (a fresh one unless a bound one with its errors is given), the share links."""
    url = ask.public_url()
    context = {
        "ask": ask,
        "full": full,
        "goal_bar": goal_context(ask, counts.confirmed_count(ask)),
        "share": attribution.share_links(request, url, ask.title),
        "print_run_code": print_run.code if print_run else "",
    }
    if ask.status == Ask.Status.OPEN:
        context["form"] = form or form_for(ask, print_run=print_run, language=current_language())
        if ask.is_event and ask.capacity is not None and context["goal_bar"]["count"] >= ask.capacity:
            context["event_full"] = True
    return context


def choose_language(request, obj):
    """Open a page about `obj` (an ask, a campaign) in written_language(obj), unless the
    visitor chose a language with the switcher."""
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:  # the visitor has not chosen one
        translation.activate(written_language(obj))
        request.LANGUAGE_CODE = translation.get_language()


@require_http_methods(["GET", "HEAD", "POST"])
def ask(request, slug, ask_slug):
    """An ask's own page: the full text, the target, the goal bar, the form, share links;
    after a response, the thank-you in the form's place. ?r=<print run code> credits a flyer
    (the visit as on the campaign page, and the response)."""
    ask = public_ask(slug, ask_slug)
    choose_language(request, ask)
    code = request.GET.get("r") or request.POST.get("r") or ""
    print_run = attribution.print_run_for(ask.campaign, code)
    if request.method == "GET" and print_run is not None:
        attribution.record_visit(request, print_run)
    form, status, extra = None, 200, {}
    if request.method == "POST":
        form, status, extra = respond(request, ask, print_run)
        if status == 303:
            return redirect(f"{ask.public_url()}?sent={extra['sent']}#respond")
    sent = request.GET.get("sent")
    context = ask_context(request, ask, print_run, form=form) | extra
    context.update({"campaign": ask.campaign, "sent": sent if sent in REACHES else ""})
    return render(request, "public/ask.html", context, status=status)


def respond(request, ask, print_run):
    """Handle a posted response: (bound form or None, status, extra context). 303 means
    stored (or a bot, answered alike) and extra["sent"] says how it will be confirmed."""
    if ask.status != Ask.Status.OPEN:
        return None, 409, {}
    form = form_for(ask, request.POST, print_run=print_run, language=current_language())
    if not form.is_valid():
        return form, 400, {}
    try:
        reach = request_response(request, ask, form, print_run=print_run)
    except Closed:  # closed since this request read it
        return None, 409, {}
    except RateLimited:
        return form, 429, {"rate_limited": True}
    return None, 303, {"sent": reach}


def response_language(request, response):
    """A page reached by a response's link: the language the visitor picked with the switcher,
    else the one their mail was in (asks.emails.mail_language), else the request's."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in LANGUAGES:
        return chosen
    return mail_language(response) if response is not None else current_language()


@csrf_exempt  # reached only with the signed token from the mail, which is the credential here
@require_http_methods(["GET", "POST"])
def response_confirm(request, token):
    """GET shows a button, POST confirms: mail scanners follow every link in a message and
    must not sign for someone. A bad, expired or purged link is a 400 page."""
    response = response_for_token(token) if request.method == "GET" else confirm_response(token)
    if response is None:
        return render(request, "public/response_confirm.html", {"bad_link": True}, status=400)
    ask = response.ask
    with translation.override(response_language(request, response)):
        context = {"ask": ask, "campaign": ask.campaign, "token": token, "response_status": response.status}
        if ask.status != Ask.Status.OPEN and response.status == Response.Status.PENDING:
            context["closed"] = True
        elif request.method == "POST" or response.status != Response.Status.PENDING:
            # Who just confirmed sees the count with them in it (a fresh count, cached for all).
            count = counts.refresh(ask) if request.method == "POST" else counts.confirmed_count(ask)
            context["goal_bar"] = goal_context(ask, count)
            context["share"] = attribution.share_links(request, ask.public_url(), ask.title)
        return render(request, "public/response_confirm.html", context)
