"""The "I can't come" page an attendee reaches from an event mail (asks/event_mail.py).

GET shows what will happen and a button (a mail scanner that follows links withdraws
no one); POST withdraws the RSVP, which frees the seat for the first on the waitlist who
fits, and queues the mail telling them. The signed token is the only credential and the
page shows nothing of the person: the event's title, time and public area only (never the
exact place: someone forwarded the mail is not an attendee).

Refusals, each with its code in the page (`refusal`) and a 4xx, never a 500:
``invalid`` (404: bad, forged or stale token — it reveals nothing), ``withdrawn`` (400:
already done, e.g. a second click), ``not_attending`` (400: never confirmed), ``over``
(400: the event is closed, cancelled or has started).
"""

from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.http import require_http_methods

from asks import tokens
from asks.event_mail import when_text
from asks.event_tasks import tell_promoted
from asks.models import Ask, Response

from .ask_pages import response_language

STATUS = {"invalid": 404, "withdrawn": 400, "not_attending": 400, "over": 400}


def refusal_of(response):
    """Why `response` cannot be withdrawn now (a key of STATUS), or None when it can."""
    if response is None or not response.ask.is_event:
        return "invalid"
    if response.status == Response.Status.WITHDRAWN:
        return "withdrawn"
    if response.status not in (Response.Status.CONFIRMED, Response.Status.WAITLISTED):
        return "not_attending"
    if response.ask.status != Ask.Status.OPEN or (response.ask.starts and response.ask.starts <= timezone.now()):
        return "over"
    return None


@require_http_methods(["GET", "HEAD", "POST"])
def withdraw(request, token):
    response = tokens.read(token, "withdraw")
    refusal = refusal_of(response)
    done = False
    if refusal is None and request.method == "POST":
        promoted = response.withdraw()
        if promoted is None:  # withdrawn by a concurrent click between the read and now
            refusal = "withdrawn"
        else:
            tell_promoted(promoted)
            done = True
    with translation.override(response_language(request, response)):
        context = {"token": token, "refusal": refusal, "done": done}
        if response is not None and refusal != "invalid":
            ask = response.ask
            day, hours = when_text(ask.local_starts(), ask.local_ends())
            context.update({"title": ask.title, "area": ask.area, "day": day, "hours": hours, "zone": ask.time_zone})
            context["waitlisted"] = response.status == Response.Status.WAITLISTED
        return render(request, "public/ask_withdraw.html", context, status=STATUS.get(refusal, 200))
