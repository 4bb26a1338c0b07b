import datetime

import pytest
from django.core import mail
from django.utils import timezone

from campaigns.models import Action, Campaign
from contacts.models import ConsentEvent
from flyers.models import Flyer, PrintRun
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_from_a_flyer_signs_up_on_the_public_page_in_arabic(page):
    campaign = Campaign.objects.create(
        slug="clean-garden",
        is_public=True,
        title_ar="حديقتنا نظيفة",
        summary_ar="انضموا إلينا لتنظيف الحديقة العامة.",
        kind="cleanup",
        city="حلب",
    )
    soon = timezone.localdate() + datetime.timedelta(days=5)
    Action.objects.create(campaign=campaign, date=soon, description_ar="يوم التنظيف في الحديقة", is_public=True)
    Action.objects.create(campaign=campaign, date=soon, description_ar="نلتقي خلف الفرن", is_public=False)
    run = PrintRun.objects.create(flyer=Flyer.objects.create(campaign=campaign, name="A5"), quantity=200)

    page.goto(f"{page.base_url}/c/clean-garden/?r={run.code}")
    assert page.locator("html").get_attribute("dir") == "rtl"
    body = page.inner_text("main")
    assert "حديقتنا نظيفة" in body and "يوم التنظيف في الحديقة" in body
    assert "خلف الفرن" not in body
    screenshot(page, "campaigns-public-ar")

    page.fill("input[name=email]", "salma@example.org")
    page.fill("input[name=given_name]", "سلمى")
    page.click(".signup-form button[type=submit]")
    page.wait_for_load_state()
    assert "تفقّد بريدك" in page.inner_text("main")
    screenshot(page, "campaigns-public-signed-up-ar")

    event = ConsentEvent.objects.get(kind="requested")
    assert (event.campaign_id, event.print_run_id) == (campaign.pk, run.pk)
    assert len(mail.outbox) == 1
    run.refresh_from_db()
    assert run.visits == 1
