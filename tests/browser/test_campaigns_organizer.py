import pytest

from campaigns.models import Action, Campaign
from tests.browser.conftest import log_in, screenshot, set_language
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def filled_fractions(bar):
    """Whether the bar is drawn in the accent colour at 5%, 40%, 50% and 95% of its width."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(bar.screenshot())).convert("RGB")
    y = image.height // 2

    def accent(x):
        r, g, b = image.getpixel((min(int(x * image.width), image.width - 1), y))
        return g > r + 40 and g > b  # the green accent, not the grey track

    return {x: accent(x) for x in (0.05, 0.4, 0.5, 0.95)}


def test_an_organizer_creates_a_campaign_with_goals_adds_actions_and_sees_progress(page):
    log_in(page, make_user(), language="ar")
    page.goto(page.base_url + "/campaigns/")
    page.click("a[href='/campaigns/new/']")
    page.fill("input[name=title_ar]", "حيّنا أنظف")
    page.fill("input[name=title_en]", "A cleaner neighbourhood")
    page.fill("textarea[name=summary_ar]", "نجمع النفايات معًا كل أسبوع.")
    page.select_option("select[name=kind]", "cleanup")
    page.fill("input[name=start_date]", "2026-03-01")
    page.fill("input[name=end_date]", "2026-02-01")
    page.fill("input[name=city]", "حلب")
    page.fill("input[name=goal_participants]", "100")
    page.fill("input[name=goal_flyers]", "-3")
    page.click("button[type=submit].primary")
    # Both mistakes are explained and nothing is stored.
    assert page.locator(".errorlist").count() == 2
    assert not Campaign.objects.exists()
    screenshot(page, "campaigns-form-errors-ar")

    page.fill("input[name=end_date]", "2026-04-30")
    page.fill("input[name=goal_flyers]", "500")
    page.click("button[type=submit].primary")
    campaign = Campaign.objects.get()
    assert page.url.endswith(f"/campaigns/{campaign.pk}/")

    for date, participants, text in (("2026-03-07", "30", "اليوم الأول"), ("2026-03-14", "25", "اليوم الثاني")):
        page.click(f"a[href='/campaigns/{campaign.pk}/actions/new/']")
        page.select_option("select[name=kind]", "cleanup")
        page.fill("input[name=date]", date)
        page.fill("textarea[name=description_ar]", text)
        page.fill("input[name=participants]", participants)
        page.click("button[type=submit].primary")
    assert Action.objects.filter(campaign=campaign).count() == 2

    bar = page.locator(".goal-participants progress")
    assert bar.get_attribute("value") == "55"
    # Right-to-left: the bar fills from the right edge, 55% of it (read from its pixels: the
    # filled part is the <progress> element's own, drawn without any inline style).
    filled = filled_fractions(bar)
    assert filled[0.95] and filled[0.5] and not filled[0.4] and not filled[0.05]
    assert "اليوم الأول" in page.inner_text(".timeline")

    page.click("button[name=status][value=active]")
    campaign.refresh_from_db()
    assert campaign.status == "active"
    screenshot(page, "campaigns-dashboard-ar")

    set_language(page, "en")
    assert "55 / 100" in page.inner_text(".goals")
    screenshot(page, "campaigns-dashboard-en")
    page.goto(page.base_url + "/campaigns/?status=active")
    assert "A cleaner neighbourhood" in page.inner_text("table")
    screenshot(page, "campaigns-list-en")
