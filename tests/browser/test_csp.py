"""The strict Content-Security-Policy breaks nothing: the main pages, opened in Chromium at a
phone's width and a desktop's, report no CSP violation (no inline script or style is left)."""

import pytest
from django.urls import reverse

from tests.campaigns.helpers import make_action
from tests.contacts.helpers import a_list, make_contact
from tests.factories import make_user
from tests.flyers.factories import make_campaign, make_flyer
from tests.messaging.helpers import make_message

from .conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (390, 1280)
# Reported both by Chromium (console errors "Refused to ...") and by the page's own event.
LISTEN = """document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " " + e.blockedURI);
});"""


def violations_on(page):
    found = []

    def keep(message):
        if "Content Security Policy" in message.text or message.text.startswith("CSP violation"):
            found.append(message.text)

    page.on("console", keep)
    page.add_init_script(LISTEN)
    return found


@pytest.mark.parametrize("width", WIDTHS)
def test_the_main_pages_report_no_csp_violation(page, width):
    from accounts.roles import ORGANIZER

    campaign = make_campaign(slug="csp-walk", goal_participants=100)
    make_action(campaign, is_public=True, participants=40)
    flyer = make_flyer(campaign)
    contact_list = a_list("CSP")
    make_contact(email="csp@example.org", given="Salma", contact_list=contact_list)
    message = make_message(contact_list)
    message.schedule()
    message.start()  # sending: the page polls its progress with message-progress.js
    organizer = make_user(ORGANIZER)

    page.set_viewport_size({"width": width, "height": 900})
    found = violations_on(page)
    log_in(page, organizer)
    pages = {
        "dashboard": reverse("home"),
        "campaign": reverse("campaigns:detail", args=[campaign.pk]),
        "contacts": reverse("contacts:list"),
        "flyer": reverse("flyers:edit", args=[flyer.pk]),
        "newsletter-compose": reverse("messaging:create"),
        "newsletter": reverse("messaging:detail", args=[message.pk]),
        "public-campaign": reverse("public:campaign", args=[campaign.slug]),
    }
    for name, url in pages.items():
        page.goto(page.base_url + url)
        page.wait_for_load_state("networkidle")
        screenshot(page, f"csp-{name}-{width}")
    page.goto(page.base_url + reverse("contacts:list"))
    page.fill("input[name=q]", "csp@example.org")
    page.click(".contact-filters button[type=submit].primary")
    page.wait_for_load_state("networkidle")
    assert ("csp@example.org" not in page.url, found) == (True, [])
