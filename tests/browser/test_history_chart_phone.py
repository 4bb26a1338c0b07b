"""The history chart is readable on a phone (issue 13, finding 13)."""

import datetime

import pytest
from django.conf import settings

from devtools.clients import verified_client
from tests.browser.conftest import screenshot
from tests.campaigns.helpers import make_action, make_campaign
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_year_labels_of_sixteen_years_are_at_least_ten_pixels_high_at_390_px(browser, live_server):
    campaign = make_campaign()
    for year in range(2011, 2027):
        make_action(campaign, date=datetime.date(year, 3, 1))
    session = verified_client(make_user()).cookies[settings.SESSION_COOKIE_NAME].value
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ar")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    page = context.new_page()
    page.goto(live_server.url + "/campaigns/history/")
    screenshot(page, "history-chart-390-ar")
    heights = page.locator(".year-chart text.year").evaluate_all(
        "(labels) => labels.map((t) => t.getBBox().height * t.getScreenCTM().d)"
    )
    context.close()
    assert len(heights) == 16 and min(heights) >= 10
