"""Step 3 of the demo scenario: a bilingual flyer for the current demo campaign (idempotent)."""

from campaigns.models import Campaign
from flyers.models import Flyer

from .history import DEMO_SLUG

DEMO_NAME = "Demo: clean-up day"


def load(stdout):
    campaign = Campaign.objects.filter(slug=DEMO_SLUG).first()
    if campaign is None:
        stdout.write(f"flyers: no campaign '{DEMO_SLUG}' yet, so no demo flyer was made.")
        return
    flyer, created = Flyer.objects.get_or_create(
        campaign=campaign,
        name=DEMO_NAME,
        defaults={
            "design": Flyer.Design.BILINGUAL,
            "paper_size": Flyer.PaperSize.A5,
            "headline_ar": "حلب نظيفة بأيدينا",
            "body_ar": "انضموا إلينا يوم السبت ١٤ آذار من الساعة ٩ صباحاً لتنظيف الحي وزراعة الأشجار. "
            "أحضروا قفازات، ونحن نؤمن الأدوات والماء. للاستفسار: 0944 123 456",
            "cta_ar": "امسح الرمز وسجّل لتصلك أخبار الحملة",
            "headline_en": "A clean Aleppo, by our own hands",
            "body_en": "Join us on Saturday 14 March from 9 am to clean the neighbourhood and plant trees. "
            "Bring gloves; we provide tools and water. Questions: 0944 123 456",
            "cta_en": "Scan the code to sign up for campaign news",
            "footer": "Kesh Malek · كش ملك",
        },
    )
    stdout.write(f"flyers: demo flyer {'created' if created else 'already there'} (id {flyer.pk}).")
