"""Organizer imports an Arabic Windows-1256 CSV through the worker, reads the error
report, builds a segment; a volunteer is refused."""

import pytest
from playwright.sync_api import expect

from accounts.roles import VOLUNTEER
from contacts.models import Contact, Segment
from tests.browser.conftest import log_in, screenshot, set_language
from tests.factories import make_user
from tests.services import ROOT, celery_process, process_env

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = [
    "الاسم;البريد الإلكتروني;الهاتف;اللغة;المنطقة;الوسوم",
    "أحمد الحلبي;ahmad.halabi@example.org;0944 123 456;عربي;حلب;شباب",
    "فاطمة الشامي;fatima@example.org;;عربي;حلب;",
    "Lina Haddad;lina@example.org;+90 532 111 2233;english;Gaziantep;press",
    "بريد خاطئ;ليس-بريدا;;;;",
    "رقم خاطئ;;123;;;",
]


def test_organizer_imports_an_arabic_cp1256_csv_and_builds_a_segment(page, tmp_path, broker):
    organizer = make_user()
    csv_path = tmp_path / "مؤيدون.csv"
    csv_path.write_bytes(("\r\n".join(ROWS) + "\r\n").encode("cp1256"))
    log_path = ROOT / "test-artifacts" / "contacts-worker.log"
    log_path.parent.mkdir(exist_ok=True)
    env = process_env(REDIS_URL=broker)
    with celery_process("worker", "--pool", "solo", "--loglevel", "INFO", env=env, log_path=log_path):
        log_in(page, organizer, language="ar")
        page.goto(page.base_url + "/contacts/import/")
        page.set_input_files("input[name=file]", str(csv_path))
        page.fill("input[name=new_list]", "حلب")
        screenshot(page, "contacts-import-form-ar")
        page.click(".import-form button[type=submit]")
        page.wait_for_url("**/contacts/import/columns/*/")  # the mapping step: columns as detected
        page.click("button[name=start]")
        page.wait_for_url("**/contacts/import/*/")
        assert page.locator(".progress").is_visible()
        screenshot(page, "contacts-import-progress-ar")
        page.wait_for_selector("table.import-errors", timeout=60000)
        screenshot(page, "contacts-import-done-ar")
        assert page.locator("#import-created").inner_text() == "3"
        assert page.locator("table.import-errors tbody tr").count() == 2
        with page.expect_download() as download:
            page.click("a[href$='errors.csv']")
        report = open(download.value.path(), encoding="utf-8-sig").read().splitlines()
        assert report[0] == "line,reason,code" and [line.split(",")[0] for line in report[1:]] == ["5", "6"]

    assert Contact.objects.by_email("ahmad.halabi@example.org").given_name == "أحمد"

    page.goto(page.base_url + "/contacts/segments/new/")
    page.locator("label", has_text="حلب").first.locator("input").check()
    page.locator("input[name=language][value=ar]").check()
    # expect(), not wait_for_function: a string predicate is eval'd, which the CSP refuses.
    expect(page.locator("#segment-count")).to_have_text("2")
    page.fill("input[name=name]", "عرب حلب")
    screenshot(page, "contacts-segment-builder-ar")
    page.click("button[formmethod=post].primary")
    page.wait_for_url("**/contacts/segments/*/")
    assert Segment.objects.get(name="عرب حلب").contacts().count() == 2

    set_language(page, "en")
    page.goto(page.base_url + "/contacts/")
    screenshot(page, "contacts-list-en")
    assert page.locator("table.contacts-table tbody tr").count() == 3
    page.click("text=Lina Haddad")
    screenshot(page, "contacts-detail-en")
    assert page.locator("table.consent-history").inner_text().count("Subscribed by an organizer") == 1
    set_language(page, "ar")
    screenshot(page, "contacts-detail-ar")


def test_a_volunteer_gets_403_on_contact_pages(page):
    volunteer = make_user(VOLUNTEER)
    log_in(page, volunteer)
    for path in ("/contacts/", "/contacts/import/", "/contacts/segments/new/", "/contacts/export/"):
        response = page.goto(page.base_url + path)
        assert response.status == 403, path


def test_a_visitor_signs_up_in_arabic_and_is_told_to_check_the_inbox(page):
    page.goto(page.base_url + "/signup/")
    page.fill("input[name=email]", "visitor@example.org")
    page.fill("input[name=given_name]", "ريم")
    screenshot(page, "contacts-signup-ar")
    box = page.locator(".hp").bounding_box()
    assert box["width"] <= 1 and box["height"] <= 1  # the honeypot is invisible to people
    page.click(".signup-form button[type=submit]")
    page.wait_for_selector(".signup-sent")
    screenshot(page, "contacts-signup-sent-ar")
    assert Contact.objects.by_email("visitor@example.org").status == Contact.Status.PENDING
