"""Pages a flyer leads to: the campaign page and the standalone signup with its confirmation."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from asks.models import Ask
from campaigns.models import Campaign
from contacts.forms import SignupForm
from contacts.signup import RateLimited, confirm_token, contact_for_token, request_signup

from . import ask_pages, attribution


@require_http_methods(["GET", "HEAD", "POST"])
def campaign(request, slug):
    """The login-free page a flyer's QR code leads to: the campaign's current ask first (its
    goal bar, form and share links), then the newsletter signup. Non-public campaigns are
    404, never 403, so the address does not even confirm that such a campaign exists."""
    campaign = Campaign.objects.public().filter(slug=slug).first()
    if campaign is None:
        raise Http404
    ask_pages.choose_language(request, campaign)  # the one it is written in, unless the visitor chose
    code = request.GET.get("r") or request.POST.get("r") or ""
    print_run = attribution.print_run_for(campaign, code)
    if request.method == "GET" and print_run is not None:
        attribution.record_visit(request, print_run)
    context = attribution.signup_context(request, campaign, print_run)
    if context.get("redirect"):
        return redirect(context["redirect"])
    upcoming = list(campaign.actions.filter(is_public=True, date__gte=timezone.localdate()).order_by("date", "id")[:20])
    context.update({"campaign": campaign, "upcoming": upcoming, "code": print_run.code if print_run else ""})
    context["page_url"] = request.build_absolute_uri(campaign.public_url())  # shared and previewed without ?r=
    # The campaign's current ask comes first (its form posts to the ask's own page).
    current = Ask.objects.current(campaign)
    if current is not None:
        context["current_ask"] = ask_pages.ask_context(request, current, print_run, full=False)
    if request.GET.get("sent"):
        context.update(attribution.next_steps(request, campaign, upcoming))
    return render(request, "public/campaign.html", context, status=429 if context.get("rate_limited") else 200)


@require_http_methods(["GET", "HEAD"])
def short_link(request, code):
    """/r/<code>: the short address printed under a print run's QR code (and held in it).
    Sends the visitor on, with ?r=<code>, to the page the flyer leads to (its ask's page, or
    the campaign page when it has no ask or the ask has no public page any more), where the
    visit is counted as any QR visit (once per visitor per day) and a response credited to
    the run. A code that is unknown, or whose campaign has no public page, is a 404 like any
    missing campaign."""
    print_run = attribution.any_print_run(code)
    if print_run is None or not Campaign.objects.public().filter(pk=print_run.flyer.campaign_id).exists():
        raise Http404
    return redirect(print_run.flyer.landing_path() + f"?r={print_run.code}")


@require_http_methods(["GET", "HEAD", "POST"])
def signup(request):
    """The standalone public signup page; ?r=<print run code> credits a flyer."""
    code = request.GET.get("r") or request.POST.get("r") or ""
    print_run = attribution.any_print_run(code)
    form = SignupForm(request.POST or None, initial={"language": attribution.page_language_code()})
    if request.method == "POST" and form.is_valid():
        try:
            request_signup(request, form, print_run=print_run)
        except RateLimited:
            return render(request, "public/signup.html", {"rate_limited": True}, status=429)
        return render(request, "public/signup.html", {"sent": True})
    return render(
        request, "public/signup.html", {"signup_form": form, "signup_action": request.path, "print_run_code": code}
    )


@csrf_exempt  # reached only with the signed token from the mail, which is the credential here
@require_http_methods(["GET", "POST"])
def signup_confirm(request, token):
    """GET shows a button, POST confirms: mail scanners that follow every link in a
    message must not subscribe someone on their own."""
    if request.method == "GET":
        ok = contact_for_token(token) is not None
        return render(request, "public/signup_confirm.html", {"ok": ok, "token": token}, status=200 if ok else 400)
    contact = confirm_token(token)
    return render(request, "public/signup_confirmed.html", {"ok": contact is not None}, status=200 if contact else 400)
