"""The newsletter composer on a phone (issue 13, finding 9): its formatting and merge-field
buttons work in Chromium at 390 px in Arabic and English, with no CSP violation and no
sideways scrolling, and the preview shows the merge fields as labelled chips, not braces."""

import pytest

from messaging.models import Message
from tests.factories import make_user
from tests.messaging.helpers import make_list

from .conftest import log_in, screenshot
from .test_csp import violations_on

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LRI, PDI = "\u2066", "\u2069"


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_composer_buttons_write_markdown_and_merge_fields_on_a_phone(page, language):
    found = violations_on(page)
    page.set_viewport_size({"width": 390, "height": 844})
    contact_list, _ = make_list(name="Composer", count=1)
    log_in(page, make_user(), language=language)
    page.goto(page.base_url + "/messages/new/")

    body = page.locator("textarea[name=body_ar]")
    toolbar = page.locator(".md-toolbar[data-for=id_body_ar]")
    body.fill("مرحبا بكم")
    body.evaluate("area => area.setSelectionRange(6, 9)")  # "بكم"
    toolbar.locator("button[data-md=bold]").click()
    body.press("End")
    body.press("Enter")
    toolbar.locator("button[data-field=first_name]").click()
    body.type(" وشكرا")
    body.press("Enter")
    body.type("وقّع العريضة")
    toolbar.locator("button[data-md=list]").click()
    body.press("Enter")
    body.type("أخبار")
    toolbar.locator("button[data-md=heading]").click()
    body.press("End")
    body.press("Enter")
    body.type("الموقع")
    body.evaluate("area => area.setSelectionRange(area.value.length - 6, area.value.length)")
    toolbar.locator("button[data-md=link]").click()
    page.keyboard.type("https://example.org/r")  # the address is selected, ready to be typed over
    written = body.input_value()
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    screenshot(page, f"composer-390-{language}")

    expected = (
        f"مرحبا **بكم**\n{LRI}{{{{ first_name }}}}{PDI} وشكرا\n\n- وقّع العريضة\n## أخبار\n"
        f"[الموقع]({LRI}https://example.org/r{PDI})"
    )
    assert (written, toolbar.is_visible(), widths[0] <= widths[1]) == (expected, True, True)

    page.fill("input[name=subject_ar]", "أهلا {{ first_name }}")
    page.check(f"input[name=lists][value='{contact_list.pk}']")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"**/messages/{Message.objects.get().pk}/")
    preview = page.frame_locator("iframe.msg-preview").first
    chip = preview.locator("td.body .merge-chip[data-field=first_name]")
    page.locator("iframe.msg-preview").first.scroll_into_view_if_needed()
    preview_text = preview.locator("body").inner_text()
    screenshot(page, f"composer-preview-390-{language}")
    items = preview.locator("td.body li").count()
    assert (chip.inner_text(), items, "{{" in preview_text, found) == ("سلمى", 1, False, [])
