"""The import's mapping step on a phone (390 px), in Arabic, without JavaScript: a file whose
email column nobody recognises is previewed, the organizer says which column holds the
email and where the city is, saves the mapping, and the import lands them there."""

import pytest

from contacts.models import Contact, ImportJob, ImportMapping
from contacts.tasks import run_import
from tests.browser.conftest import log_in, screenshot
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = [
    "الاسم الكامل,عنوان المراسلة,مكان السكن,ملاحظات",
    "عبد الرحمن حداد,abdulrahman@example.org,غازي عنتاب,متطوع منذ ٢٠١٩",
    "Lina Haddad,lina@example.org,Istanbul,",
]


def test_an_organizer_maps_the_columns_on_a_phone_in_arabic_without_javascript(browser, live_server, tmp_path):
    organizer = make_user()
    csv_path = tmp_path / "أعضاء.csv"
    csv_path.write_text("\r\n".join(ROWS) + "\r\n", encoding="utf-8-sig")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ar", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    try:
        log_in(page, organizer, language="ar")
        page.goto(page.base_url + "/contacts/import/")
        page.set_input_files("input[name=file]", str(csv_path))
        page.fill("input[name=new_list]", "غازي عنتاب")
        page.click(".import-form button[type=submit]")
        page.wait_for_url("**/contacts/import/columns/*/")
        assert page.locator("#no-contact-column").is_visible()  # a prompt to map, not a failure
        assert page.locator(".import-samples", has_text="abdulrahman@example.org").count() == 1
        email = page.locator(".import-column", has_text="عنوان المراسلة").locator("select")
        email.select_option("email")
        page.locator(".import-column", has_text="مكان السكن").locator("select").select_option("city")
        page.fill("input[name=save_as]", "ملف الأعضاء")
        width = page.evaluate("document.documentElement.scrollWidth")
        screenshot(page, "contacts-import-mapping-390-ar")
        assert width <= 390  # nothing wider than the phone's screen
        page.click("button[name=start]")
        page.wait_for_url("**/contacts/import/*/")
    finally:
        context.close()
    assert run_import(ImportJob.objects.get().pk) is True
    contact = Contact.objects.by_email("abdulrahman@example.org")
    assert (contact.city, contact.notes) == ("غازي عنتاب", "متطوع منذ ٢٠١٩")
    assert ImportMapping.objects.get().columns["عنوان المراسلة"] == "email"
