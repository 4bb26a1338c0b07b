import re
import smtplib

import pytest
from anymail.exceptions import AnymailAPIError
from django.core.exceptions import ValidationError

from messaging import compose, dispatch, emails
from messaging.ratelimit import Limiter, LocalBucket
from tests.factories import organizer_client

from .helpers import make_list, make_message

# emails.prepare reads the organisation profile (its name heads every email).
pytestmark = pytest.mark.django_db


def test_merge_fields_outside_the_whitelist_are_rejected():
    errors = compose.merge_field_errors("Hi {{ settings.SECRET_KEY }} {{ first_name|safe }} {% load static %}")
    assert len(errors) == 3


def test_hostile_html_is_sanitised_and_merge_values_are_escaped():
    html = compose.body_html('<script>alert(1)</script><a href="javascript:x()" onclick="y()">go</a> {{ first_name }}')
    filled = compose.fill(html, {"first_name": "<img src=x onerror=alert(1)>"}, escape=True)
    assert "<script" not in filled and "javascript:" not in filled and "onclick" not in filled
    assert "&lt;img src=x onerror=alert(1)&gt;" in filled


def test_template_syntax_in_the_body_is_never_evaluated():
    prepared = emails.prepare("Hi", "{{ settings.SECRET_KEY }} {% now 'Y' %}", "en")
    assert "{{ settings.SECRET_KEY }}" in prepared.text and "{% now 'Y' %}" in prepared.text


def test_arabic_email_is_right_to_left_and_english_left_to_right():
    arabic = emails.prepare("نشرة", "مرحبا {{ first_name }}", "ar")
    english = emails.prepare("News", "Hello {{ first_name }}", "en")
    assert '<html lang="ar" dir="rtl">' in arabic.html and "text-align:right" in arabic.html
    assert '<html lang="en" dir="ltr">' in english.html
    assert "إلغاء الاشتراك" in arabic.html or "Unsubscribe" not in arabic.html


def test_a_text_alternative_keeps_links_readable():
    text = compose.html_to_text(compose.body_html("Read [the report](https://example.org/r) now"))
    assert text == "Read the report (https://example.org/r) now"


@pytest.mark.parametrize(
    "body", ["[my page]({{ first_name }})", '<a href="https://example.org/?n={{ first_name }}">x</a>']
)
def test_a_supporters_name_can_never_become_a_link_address(body):
    assert compose.merge_field_errors(body)
    prepared = emails.prepare("Hi", body, "en")
    email = emails.build(prepared, "a@example.org", {"first_name": "javascript:alert(1)", "last_name": ""})
    html = email.alternatives[0][0]
    assert 'href="javascript' not in html and "javascript:" not in html


def test_a_name_with_a_line_break_or_bidi_controls_is_sent_on_one_line():
    prepared = emails.prepare("Hello {{ first_name }}", "Hi {{ first_name }}", "en")
    email = emails.build(prepared, "a@example.org", {"first_name": "Rana\nBcc: x@evil.example\u202e", "last_name": ""})
    assert email.subject == "Hello Rana Bcc: x@evil.example"
    assert "\u202e" not in email.body and "\u202e" not in email.alternatives[0][0]
    email.message()  # a valid message: no header injection, no BadHeaderError


def test_hamlas_own_links_may_be_link_addresses():
    assert not compose.merge_field_errors("[leave]({{ unsubscribe_url }}) · [settings]({{ preferences_url }})")
    assert not compose.merge_field_errors("[site](https://hamla.org) [write](mailto:info@hamla.org)")


@pytest.mark.parametrize("body", ["[admin](/admin/)", '<a href="page.html">page</a>'])
def test_a_relative_link_which_leads_nowhere_from_an_inbox_is_refused(body):
    assert compose.merge_field_errors(body)


def test_the_inbox_snippet_shows_no_link_addresses_and_no_half_merge_field():
    fragment = compose.body_html("x" * 130 + " {{ first_name }} [leave]({{ unsubscribe_url }})")
    snippet = compose.preheader(fragment)
    assert "\ue000" not in snippet and "\ue001" not in snippet and snippet.startswith("x" * 130)
    assert "unsubscribe" not in compose.preheader(compose.body_html("Hi [leave]({{ unsubscribe_url }})"))


@pytest.mark.django_db
def test_a_turkish_speaker_reads_the_english_version_first():
    message = make_message()
    assert message.content_for("tr")[0] == "en"
    assert message.content_for("ar")[0] == "ar"


@pytest.mark.django_db
def test_a_message_with_bad_merge_fields_does_not_validate():
    message = make_message(body_ar="{{ request.user }}")
    with pytest.raises(ValidationError):
        message.full_clean(exclude=["lists", "tags", "segment"])


@pytest.mark.parametrize(
    ("exc", "transient", "whole"),
    [
        (AnymailAPIError("slow down", status_code=429), True, True),
        (AnymailAPIError("oops", status_code=503), True, True),
        (AnymailAPIError("bad request", status_code=400), False, False),
        (smtplib.SMTPDataError(451, b"later"), True, True),
        (smtplib.SMTPDataError(554, b"no"), False, True),
        (smtplib.SMTPRecipientsRefused({"a@b": (450, b"greylisted")}), True, False),
        (smtplib.SMTPRecipientsRefused({"a@b": (550, b"no such user")}), False, False),
        (smtplib.SMTPServerDisconnected("gone"), True, True),
        (TimeoutError(), True, True),
    ],
)
def test_provider_errors_are_classified_as_transient_or_permanent(exc, transient, whole):
    got_transient, got_whole, reason = dispatch.classify(exc)
    assert got_transient is transient and reason
    if transient:
        assert got_whole is whole


@pytest.mark.parametrize(
    "exc",
    [
        smtplib.SMTPDataError(550, b"5.1.1 <salma.k@example.org>: Recipient address rejected"),
        ValueError("cannot deliver to salma.k@example.org today"),
    ],
)
def test_a_provider_reason_never_keeps_the_recipients_address(exc):
    _transient, _whole, reason = dispatch.classify(exc)
    assert "salma" not in reason and "<address>" in reason


def test_the_local_bucket_refuses_beyond_its_rate():
    bucket = LocalBucket(rate=10, capacity=10)
    waits = [bucket.take() for _ in range(11)]
    assert waits[:10] == [0.0] * 10 and waits[10] > 0


def test_the_redis_bucket_is_shared_between_limiters(redis_service):
    url = redis_service
    slept = []
    key = f"hamla:test-bucket:{id(slept)}"
    first = Limiter(rate=5, key=key, redis_url=url, sleep=slept.append)
    second = Limiter(rate=5, key=key, redis_url=url, sleep=slept.append)
    assert first.shared
    for _ in range(5):
        first.acquire()
    assert not slept
    # The second limiter sees the tokens the first one took.
    second.bucket.take(0)
    assert second.bucket.take(1) > 0


# Issue 13, finding 9: a composer that writes right to left well.


def test_each_paragraph_of_the_sent_email_carries_its_own_direction():
    prepared = emails.prepare("نشرة", "مرحبا {{ first_name }}\n\nA line in English.\n\n- بند\n- item", "ar")
    html = emails.build(prepared, "a@example.org", {"first_name": "Salma", "last_name": ""}).alternatives[0][0]
    assert (
        '<p dir="rtl">مرحبا' in html,
        '<p dir="ltr">A line' in html,
        '<li dir="rtl">بند' in html,
        '<li dir="ltr">item' in html,
    ) == (True,) * 4


def test_a_merge_field_in_the_email_is_isolated_from_the_text_around_it():
    prepared = emails.prepare("نشرة", "مرحبا {{ first_name }}!", "ar")
    html = emails.build(prepared, "a@example.org", {"first_name": "Salma", "last_name": ""}).alternatives[0][0]
    assert '<p dir="rtl">مرحبا <span dir="auto">Salma</span>!</p>' in html


def test_the_isolates_the_compose_buttons_insert_leave_no_trace_in_the_email():
    body = (
        "مرحبا \u2066{{ first_name }}\u2069\n\n"
        "[موقعنا](\u2066https://example.org/a\u2069) [اترك](\u2066{{ unsubscribe_url }}\u2069)"
    )
    assert compose.merge_field_errors(body) == []
    prepared = emails.prepare("نشرة", body, "ar")
    email = emails.build(
        prepared, "a@example.org", {"first_name": "سلمى", "last_name": "", "unsubscribe_url": "https://h.example/u/1"}
    )
    html = email.alternatives[0][0]
    assert (
        'href="https://example.org/a"' in html,
        'href="https://h.example/u/1"' in html,
        "\u2066" in html + email.body,
    ) == (True, True, False)


def test_the_preview_shows_merge_fields_as_labelled_chips_not_braces():
    message = make_message(
        body_ar="مرحبا {{ first_name }}، [اترك]({{ unsubscribe_url }})", subject_ar="أهلا {{ first_name }}"
    )
    page = organizer_client().get(f"/messages/{message.pk}/preview/ar/").content.decode()
    chip = '<span class="merge-chip" data-field="first_name" data-label="الاسم الأول">سلمى</span>'
    assert (chip in page, "<title>أهلا سلمى</title>" in page, "{{" in page, "\ue000" in page) == (
        True,
        True,
        False,
        False,
    )


def test_subjects_on_the_newsletter_list_are_filled_for_a_sample_supporter():
    make_message(subject_ar="أخبار لك يا {{ first_name }}", subject_en="News for you, {{ first_name }}")
    client = organizer_client()
    arabic = client.get("/messages/").content.decode()
    client.cookies.load({"django_language": "en"})
    english = client.get("/messages/").content.decode()
    assert (
        "<bdi>أخبار لك يا سلمى</bdi>" in arabic,
        "<bdi>News for you, Salma</bdi>" in english,
        "{{" in arabic + english,
    ) == (True, True, False)


def test_the_newsletter_page_title_is_filled_for_a_sample_supporter():
    message = make_message(make_list(count=1)[0], subject_ar="أخبار لك يا {{ first_name }}")
    page = organizer_client().get(f"/messages/{message.pk}/").content.decode()
    assert ("أخبار لك يا سلمى" in page.split("<title>")[1].split("</title>")[0], "{{ first_name }}" in page) == (
        True,
        False,
    )


def test_the_compose_page_has_dir_auto_fields_and_formatting_buttons():
    page = organizer_client().get("/messages/new/").content.decode()
    fields = re.findall(r'<(?:input|textarea)[^>]*name="(?:subject|body)_(?:ar|en)"[^>]*>', page)
    buttons = re.findall(r'data-(?:md|field)="([a-z_]+)"', page)
    assert (len(fields), all('dir="auto"' in f for f in fields)) == (4, True)
    assert buttons[:8] == [
        "bold",
        "link",
        "list",
        "heading",
        "first_name",
        "last_name",
        "unsubscribe_url",
        "preferences_url",
    ]
    assert "js/compose.js" in page and "md-hint" in page  # the script, and the hint for pages without it
