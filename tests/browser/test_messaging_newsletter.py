"""An organizer writes, previews, schedules, watches, pauses and resumes a newsletter;
a supporter unsubscribes in one click. Real worker process, real Redis, local SMTP sink."""

import re
from collections import Counter

import pytest

from contacts.models import Contact, Segment
from messaging.models import Message
from tests.browser.conftest import ARTIFACTS, log_in, screenshot, set_language
from tests.factories import make_user
from tests.messaging.conftest import WORKER_QUEUES, fresh_sink, sink, wait_ready, worker_env  # noqa: F401
from tests.messaging.helpers import make_list
from tests.services import ROOT, celery_process, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(broker, sink):  # noqa: F811
    logs = ROOT / "test-artifacts" / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    env = worker_env(broker, sink)
    log_path = logs / "messaging-browser-worker.log"
    log_path.unlink(missing_ok=True)
    args = ("worker", "--concurrency=2", "--without-gossip", "--without-mingle", "-Q", WORKER_QUEUES, "-l", "INFO")
    with celery_process(*args, env=env, log_path=log_path) as proc:
        wait_ready(log_path)
        yield proc


def status(message_id):
    return Message.objects.get(pk=message_id).status


def test_an_organizer_sends_a_bilingual_newsletter_and_a_supporter_unsubscribes(page, worker, fresh_sink):  # noqa: F811
    fresh_sink.handler.delay = 0.05
    contact_list, arabic = make_list(name="Aleppo", count=40, language="ar")
    _, english = make_list(name="Gaziantep", count=20, language="en", start=100)
    segment = Segment.objects.create(name="Everyone", filters={"lists": [contact_list.pk, english[0].lists.first().pk]})
    log_in(page, make_user(), language="ar")

    page.goto(page.base_url + "/messages/new/")
    page.fill("input[name=subject_ar]", "أخبار حملة المدارس الآمنة")
    page.fill(
        "textarea[name=body_ar]",
        "# مرحبا {{ first_name }}\n\nوزّعنا **ألفي** منشور هذا الأسبوع.\n\n- شارك العريضة\n- انضم إلينا يوم الخميس",
    )
    page.fill("input[name=subject_en]", "Safe schools campaign news")
    page.fill("textarea[name=body_en]", "# Hello {{ first_name }}\n\nWe handed out **two thousand** flyers this week.")
    page.select_option("select[name=segment]", str(segment.pk))
    screenshot(page, "messaging-compose-ar")
    page.click("button[type=submit].primary")
    message = Message.objects.get()
    assert page.url.endswith(f"/messages/{message.pk}/")

    arabic_preview = page.frame_locator("iframe.msg-preview").first
    assert "مرحبا سلمى" in arabic_preview.locator("h1").inner_text()
    screenshot(page, "messaging-detail-preview-ar")
    set_language(page, "en")
    english_preview = page.frame_locator("iframe.msg-preview").nth(1)
    assert "Hello Salma" in english_preview.locator("h1").inner_text()
    screenshot(page, "messaging-detail-preview-en")

    assert "60 supporters (40 in Arabic, 20 in English)" in page.inner_text("#msg-review")
    page.click("button[name=send_now]")  # the confirmation step states the count
    assert "Send to 60 supporters (40 in Arabic, 20 in English) now?" in page.inner_text("main")
    screenshot(page, "messaging-confirm-send-en")
    assert status(message.pk) == "draft"
    page.click("section.confirm button[type=submit]")
    screenshot(page, "messaging-scheduled-en")
    assert wait_for(lambda: len(fresh_sink.received) >= 8, timeout=45)
    page.reload()
    page.click("form[action$='/pause/'] button")
    assert status(message.pk) == "paused"
    screenshot(page, "messaging-paused-en")
    page.click("form[action$='/resume/'] button")
    assert wait_for(lambda: status(message.pk) == "sent", timeout=40)
    page.reload()
    assert "60" in page.inner_text("[data-count=sent]")
    screenshot(page, "messaging-sent-en")

    received = Counter(fresh_sink.recipients())
    assert received == Counter(c.email for c in arabic + english)
    mails = {rcpt: parsed for rcpt, _subject, parsed in fresh_sink.received}
    arabic_mail, english_mail = mails[arabic[0].email], mails[english[0].email]
    # Django folds encoded subjects onto a continuation line; readers drop the leading space.
    assert str(arabic_mail["Subject"]).strip() == "أخبار حملة المدارس الآمنة"
    assert str(english_mail["Subject"]).strip() == "Safe schools campaign news"
    for name, mail in (("ar", arabic_mail), ("en", english_mail)):
        html = mail.get_body(("html",)).get_content()
        path = ARTIFACTS / f"messaging-email-{name}.html"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
        page.set_viewport_size({"width": 420 if name == "ar" else 800, "height": 800})
        page.goto(path.as_uri())
        screenshot(page, f"messaging-email-{name}")
    page.set_viewport_size({"width": 1100, "height": 800})

    # The supporter follows the List-Unsubscribe link and confirms once.
    link = re.search(r"<(https?://[^>]+)>", str(arabic_mail["List-Unsubscribe"])).group(1)
    assert arabic_mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    page.context.clear_cookies()
    page.goto(page.base_url + re.sub(r"^https?://[^/]+", "", link))
    screenshot(page, "messaging-unsubscribe-ar")
    page.click("button[type=submit].primary")
    assert "تم إلغاء اشتراكك" in page.inner_text("main")
    assert Contact.objects.get(pk=arabic[0].pk).status == "unsubscribed"
