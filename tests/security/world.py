"""One instance of every kind of object the URLs name, and a supporter planted with unique strings.

`plant()` builds them; `World.kwargs(route)` fills a URL pattern's arguments from them, by
argument name (and, for the ambiguous `pk`, by the URL's name). A pattern with an argument
this module does not know how to fill fails the policy test, naming the argument.
"""

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import members
from accounts.roles import ADMIN, ORGANIZER, VOLUNTEER
from accounts.two_factor import create_link
from asks import tokens as ask_tokens
from asks.models import Ask, Response
from contacts.models import Contact, ImportJob, ImportMapping, Membership, Segment, Tag
from contacts.signup import make_token
from contacts.tasks import error_report_path
from devtools.clients import verified_client
from flyers.models import BatchRender
from messaging import tokens
from tests.campaigns.helpers import make_action
from tests.contacts.helpers import a_list
from tests.factories import make_user
from tests.flyers.factories import make_campaign, make_flyer, make_run
from tests.messaging.helpers import make_message
from tests.security.policy import ROLES

OUTBOX_FILE = "0001-policy-test.eml"

# Which object a `pk` argument names, by URL name; anything else by its namespace.
PK_BY_NAME = {
    "contacts:list_edit": "contact_list",
    "contacts:segment": "segment",
    "contacts:import_job": "import_job",
    "contacts:import_status": "import_job",
    "contacts:import_errors": "import_job",
    "contacts:import_mapping": "import_mapping",
    "flyers:batch": "batch",
    "flyers:batch_download": "batch",
    "flyers:drop": "drop",
    "asks:petition_pdf": "petition",
    "asks:create": "campaign",  # /asks/campaign/<pk>/new/…: a campaign's pk, not an ask's
}
PK_BY_NAMESPACE = {
    "accounts": "volunteer",  # accounts:freeze
    "campaigns": "campaign",
    "contacts": "contact",
    "flyers": "flyer",
    "messaging": "message",
    "asks": "event",
}


@dataclass
class World:
    planted: dict  # field -> the unique string planted in it
    objects: dict = field(default_factory=dict)
    sessions: dict = field(default_factory=dict)  # role -> session cookie value

    def kwargs(self, name, params):
        """The keyword arguments for URL `name` with parameters `params`; KeyError names a missing one."""
        o = self.objects
        values = {
            "action_pk": o["action"].pk,
            "code": o["print_run"].code,
            "slug": o["campaign"].slug,
            "ask_slug": o["event"].slug,  # public:ask: the event's page must not show its place
            "language": "ar",
            "action": "pause",  # messaging:act
            "name": OUTBOX_FILE,  # accounts:outbox_file
            "uidb64": urlsafe_base64_encode(force_bytes(o["invitee"].pk)),  # accounts:password_set
            "kind": "event",  # asks:create
            "response_pk": o["rsvp"].pk,
        }
        tokens_by_name = {
            "public:signup_confirm": o["signup_token"],
            "public:unsubscribe": o["email_token"],
            "public:preferences": o["email_token"],
            "public:ask_withdraw": o["withdraw_token"],
            "public:response_confirm": o["confirm_token"],
            "asks:checkin_token": o["checkin_token"],
            "accounts:enrol": o["enrolment_token"],
            "accounts:password_set": o["password_token"],
            "contacts:import_columns": "no-upload-in-this-session",
        }
        filled = {}
        for param in params:
            if param == "pk":
                kind = PK_BY_NAME.get(name) or PK_BY_NAMESPACE.get(name.split(":")[0])
                if kind is None:
                    raise KeyError(f"{name}: pk")
                filled[param] = o[kind].pk
            elif param == "token":
                filled[param] = tokens_by_name[name]
            else:
                filled[param] = values[param]
        return filled

    def write_files(self):
        """Files some URLs serve, holding planted data too: an outbox mail, an import's error report."""
        outbox = Path(settings.HAMLA_OUTBOX_DIR)
        outbox.mkdir(parents=True, exist_ok=True)
        email, given = self.planted["email"], self.planted["given_name"]
        (outbox / OUTBOX_FILE).write_text(f"To: {given} <{email}>\nSubject: policy test\n\nHello {given}\n")
        report = error_report_path(self.objects["import_job"])
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(f"line,reason\n2,{email} is already on the list\n", encoding="utf-8")

    def leaks(self, text):
        """The planted strings (or their shared marker) found in `text`."""
        found = [value for key, value in self.planted.items() if key != "marker" and value in text]
        if not found and self.planted["marker"] in text:  # a planted string cut short or reformatted
            found.append(self.planted["marker"])
        return found


def plant():
    """Users of every role, one object of each kind, and a supporter whose every field is unique."""
    marker = f"PLANT-{secrets.token_hex(6)}"
    planted = {
        "marker": marker,
        "given_name": f"{marker}-given",
        "family_name": f"{marker}-family",
        "email": f"{marker.lower()}@example.org",
        # Stored normalised: +963 and nine digits, the last seven random.
        "phone": f"+96393{secrets.randbelow(10**7):07d}",
        "notes": f"{marker}-notes",
        "city": f"{marker}-city",
        "neighbourhood": f"{marker}-neighbourhood",
        "tag": f"{marker}-tag",
    }
    world = World(planted)
    o = world.objects
    o["volunteer"] = make_user(VOLUNTEER)
    o["organizer"] = make_user(ORGANIZER)
    o["admin"] = make_user(ADMIN)
    o["enrolment_token"] = create_link(o["organizer"], by=o["admin"])
    o["invitee"] = members.invite("policy-invitee", VOLUNTEER, by=o["admin"])
    o["password_token"] = members.tokens.make_token(o["invitee"])

    o["campaign"] = make_campaign(slug="policy-walk")
    o["action"] = make_action(o["campaign"], is_public=True)
    o["flyer"] = make_flyer(o["campaign"])
    o["print_run"] = make_run(o["flyer"], volunteer=o["volunteer"])
    o["drop"] = o["print_run"].drops.create(place="Policy walk", copies=10, volunteer=o["volunteer"])
    o["batch"] = BatchRender.objects.create(flyer=o["flyer"], layout="a4-4up")
    o["batch"].print_runs.set([o["print_run"]])

    o["contact_list"] = contact_list = a_list("Policy walk")
    contact = Contact(city=planted["city"], neighbourhood=planted["neighbourhood"], source="signup")
    contact.given_name, contact.family_name = planted["given_name"], planted["family_name"]
    contact.email, contact.phone, contact.notes = planted["email"], planted["phone"], planted["notes"]
    contact.save()
    Membership.objects.create(contact=contact, contact_list=contact_list)
    contact.tags.add(Tag.objects.create(name=planted["tag"]))
    planted["phone"] = contact.phone  # as the pages show it
    o["contact"] = contact
    o["segment"] = Segment.objects.create(name="Policy walk", filters={})
    o["import_job"] = ImportJob.objects.create(
        contact_list=contact_list, file_name="supporters.csv", path="/nonexistent/supporters.csv", state="done"
    )
    o["import_mapping"] = ImportMapping.objects.create(
        name="Policy walk", columns={"E-mail": "email"}, headers=["E-mail"], created_by=o["organizer"]
    )

    o["event"] = event = Ask(campaign=o["campaign"], kind=Ask.Kind.EVENT, status=Ask.Status.OPEN, slug="policy-event")
    event.title_ar = event.title_en = "Policy walk event"
    event.starts = timezone.now() + timedelta(days=7)
    # An event's exact place is for its confirmed attendees' mail and its organizers only: it
    # carries the marker, which `leaks` finds on any page (not a supporter's field, so not planted).
    event.place = f"{marker}-place"
    event.save()
    rsvp = Response(ask=event, status=Response.Status.CONFIRMED, confirmed_at=timezone.now())
    rsvp.given_name, rsvp.family_name, rsvp.email = planted["given_name"], planted["family_name"], planted["email"]
    rsvp.set_person()
    rsvp.save()
    o["rsvp"] = rsvp
    o["withdraw_token"] = ask_tokens.make(rsvp, "withdraw")
    o["confirm_token"] = ask_tokens.make(rsvp, "confirm")
    o["checkin_token"] = ask_tokens.make(rsvp, "checkin")
    o["petition"] = petition = Ask.objects.create(
        campaign=o["campaign"], kind=Ask.Kind.PETITION, status=Ask.Status.OPEN, slug="policy-petition", title_en="P"
    )
    signature = Response(ask=petition, status=Response.Status.CONFIRMED, named=True, confirmed_at=timezone.now())
    signature.given_name, signature.family_name = planted["given_name"], planted["family_name"]
    signature.email, signature.neighbourhood = planted["email"], planted["neighbourhood"]
    signature.set_person()
    signature.save()

    o["message"] = message = make_message(contact_list)
    message.schedule()
    message.start()  # plans a delivery to the planted supporter
    o["signup_token"] = make_token(contact, campaign=o["campaign"])
    o["email_token"] = tokens.make(contact.pk, message.pk)

    for role in ROLES[1:]:
        client = verified_client(o[role])
        world.sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return world
