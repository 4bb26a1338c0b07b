"""Step 4 of the demo scenario: the current campaign's asks (idempotent).

An open petition with signatures from several neighbourhoods and print runs (a few signers
named, some still unconfirmed), a flyer whose QR code leads to it, and an open clean-up
event a few days ahead with two shifts, confirmed RSVPs, one on the waitlist, and an exact
place only its confirmed attendees are told. Everything goes through the models' own
methods (Ask.open, Response.set_person and Response.confirm), so the demo's counts are the
ones real confirmations make; no mail is sent. An ask whose address exists is left as it is.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from asks.models import Ask, Response, Shift
from campaigns.models import Campaign
from flyers.models import Drop, Flyer, PrintRun

from .history import DEMO_SLUG

PETITION_SLUG = "bring-back-the-bins"
EVENT_SLUG = "clean-up-saturday"
FLYER_NAME = "Demo: petition for the bins"

PETITION = {
    "kind": Ask.Kind.PETITION,
    "position": 0,
    "title_ar": "أعيدوا حاويات النفايات إلى أحيائنا",
    "title_en": "Bring the rubbish bins back to our neighbourhoods",
    "text_ar": "منذ أشهر أُزيلت حاويات النفايات من شوارع الشعار وصلاح الدين والأنصاري، فصارت النفايات تتكدّس "
    "قرب المدارس. نطالب بإعادة الحاويات وبجمع النفايات مرتين في الأسبوع على الأقل.",
    "text_en": "Months ago the rubbish bins were taken from the streets of Al-Shaar, Salah al-Din and Al-Ansari, "
    "and rubbish now piles up next to schools. We ask for the bins back and for collection at least twice a week.",
    "target_ar": "مجلس مدينة حلب",
    "target_en": "Aleppo City Council",
    "goal": 500,
}

EVENT = {
    "kind": Ask.Kind.EVENT,
    "position": 1,
    "title_ar": "يوم نظافة وتشجير في حديقة الشعار",
    "title_en": "Clean-up and tree planting in Al-Shaar garden",
    "text_ar": "نلتقي صباح السبت لتنظيف الحديقة العامة ثم زراعة الأشجار. نؤمّن القفازات والأدوات والماء.",
    "text_en": "We meet on Saturday morning to clean the public garden, then plant trees. "
    "Gloves, tools and water are provided.",
    "area_ar": "حي الشعار",
    "area_en": "Al-Shaar neighbourhood",
    # The shifts' slots together; no separate goal, so the bar counts towards the places.
    "capacity": 22,
    "time_zone": "Asia/Damascus",
}
PLACE = "مدخل حديقة الشعار الشمالي، قرب نافورة الماء · North gate of Al-Shaar garden, by the fountain"
# (label_ar, label_en, start hour, end hour, volunteer slots)
SHIFTS = [("تنظيف", "Cleaning", 9, 11, 20), ("زراعة الأشجار", "Tree planting", 11, 13, 2)]

# Print runs of the petition's flyer: (neighbourhood, copies).
RUNS = [("الشعار", 300), ("صلاح الدين", 200), ("الأنصاري", 150)]

# Obviously fake signers: (given, family, language, neighbourhood, print run index or None, named, confirmed).
SIGNERS = [
    ("أحمد", "تجريبي", "ar", "الشعار", 0, True, True),
    ("سلمى", "تجريبية", "ar", "الشعار", 0, False, True),
    ("Sam", "Demo", "en", "الشعار", 0, True, True),
    ("خالد", "تجريبي", "ar", "صلاح الدين", 1, False, True),
    ("ليلى", "تجريبية", "ar", "صلاح الدين", 1, True, True),
    ("Lina", "Test", "en", "صلاح الدين", 1, False, True),
    ("عمر", "تجريبي", "ar", "الأنصاري", 2, False, True),
    ("نور", "تجريبية", "ar", "الأنصاري", 2, False, True),
    ("يوسف", "تجريبي", "ar", "السكري", None, False, True),
    ("Maya", "Demo", "en", "الشعار", None, False, True),
    ("رامي", "تجريبي", "ar", "الشعار", 0, False, False),
    ("هدى", "تجريبية", "ar", "الأنصاري", 2, False, False),
    ("Omar", "Test", "en", "صلاح الدين", None, False, False),
]

# Attendees: (given, family, language, shift index). Confirmed in this order, so the planting
# shift (2 slots) fills and its third volunteer waits on the list.
ATTENDEES = [
    ("فاطمة", "تجريبية", "ar", 0),
    ("محمد", "تجريبي", "ar", 0),
    ("Alex", "Demo", "en", 0),
    ("زينب", "تجريبية", "ar", 1),
    ("Test", "Person", "en", 1),
    ("حسن", "تجريبي", "ar", 1),
]


def _event_times(today, zone):
    """Next Saturday at least three days ahead, 9:00 to 13:00 local time."""
    day = today + datetime.timedelta(days=3)
    day += datetime.timedelta(days=(5 - day.weekday()) % 7)

    def at(hour):
        return datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone)

    return at, at(9), at(13)


def _respond(ask, n, given, family, language, neighbourhood="", print_run=None, shift=None, named=False):
    response = Response(ask=ask, shift=shift, print_run=print_run, language=language, named=named)
    response.given_name, response.family_name = given, family
    response.email = f"demo.{ask.slug}.{n}@example.org"
    response.neighbourhood = neighbourhood
    response.set_person()
    response.save()
    return response


def _petition_flyer(campaign, petition):
    """A flyer whose QR code leads to the petition; its call to action is the petition's title."""
    flyer = Flyer.objects.create(
        campaign=campaign,
        name=FLYER_NAME,
        design=Flyer.Design.BOLD,
        paper_size=Flyer.PaperSize.A5,
        target=f"ask:{petition.pk}",
        headline_ar="شارعنا ليس مكبًّا",
        body_ar="النفايات تتكدّس قرب مدارس أطفالنا. وقّعوا العريضة إلى مجلس المدينة: نريد الحاويات في كل حي.",
        headline_en="Our street is not a dump",
        body_en="Rubbish piles up next to our children's schools. Sign the petition to the city council: "
        "bins in every neighbourhood.",
        footer="Kesh Malek · كش ملك",
    )
    volunteer = get_user_model().objects.filter(username="volunteer").first()
    runs = []
    for neighbourhood, copies in RUNS:
        run = PrintRun.objects.create(
            flyer=flyer, volunteer=volunteer, quantity=copies, city=campaign.city, neighbourhood=neighbourhood
        )
        Drop.objects.create(print_run=run, place=neighbourhood, city=campaign.city, copies=copies, volunteer=volunteer)
        runs.append(run)
    return runs


def _petition(campaign):
    petition = Ask(campaign=campaign, slug=PETITION_SLUG, **PETITION)
    petition.full_clean()
    petition.save()
    petition.open()
    runs = _petition_flyer(campaign, petition)
    for n, (given, family, language, neighbourhood, run, named, confirmed) in enumerate(SIGNERS, 1):
        print_run = runs[run] if run is not None else None
        response = _respond(petition, n, given, family, language, neighbourhood, print_run, named=named)
        if confirmed:
            response.confirm()
    return petition


def _event(campaign, today):
    event = Ask(campaign=campaign, slug=EVENT_SLUG, **EVENT)
    at, event.starts, event.ends = _event_times(today, event.zone())
    event.place = PLACE
    event.full_clean()
    event.save()
    event.open()
    shifts = [
        Shift.objects.create(ask=event, label_ar=ar, label_en=en, starts=at(start), ends=at(end), slots=slots)
        for ar, en, start, end, slots in SHIFTS
    ]
    for n, (given, family, language, shift) in enumerate(ATTENDEES, 1):
        _respond(event, n, given, family, language, "الشعار", shift=shifts[shift]).confirm()
    return event


def load(stdout):
    campaign = Campaign.objects.filter(slug=DEMO_SLUG).first()
    if campaign is None:
        stdout.write(f"asks: no campaign '{DEMO_SLUG}' yet, so no demo petition or event was made.")
        return
    made = []
    with transaction.atomic():
        if not campaign.asks.filter(slug=PETITION_SLUG).exists():
            made.append(_petition(campaign))
        if not campaign.asks.filter(slug=EVENT_SLUG).exists():
            made.append(_event(campaign, timezone.localdate()))
    if not made:
        stdout.write("asks: the demo petition and event are already there.")
        return
    for ask in made:
        counts = {status: ask.responses.filter(status=status).count() for status in Response.Status}
        shown = ", ".join(f"{n} {status.value}" for status, n in counts.items() if n)
        stdout.write(f"asks: {ask.kind} '{ask.slug}' opened ({shown}).")  # plain words: labels are translated
