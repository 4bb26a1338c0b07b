"""core.mailheaders against RFC 2047 §2: an encoded-word is at most 75 characters, a line
holding one at most 76 (the header name counts on the first line), and a reader decodes
the exact text back. Checked on the bytes Django's SMTP backend would send."""

import re
from email import policy
from email.header import decode_header, make_header
from email.parser import BytesParser

import pytest

from core.mailheaders import MAX_LINE, MAX_WORD, StandardEmail, fold

ENCODED_WORD = re.compile(rb"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")
TEXTS = {
    "arabic": "نشرة حملة المناصرة لشهر تشرين الأول: لقاءات، توزيع منشورات، وتضامن مع المعتقلين. ",
    "mixed": "Campaign حملة 2025 — newsletter نشرة #12 for Aleppo حلب and Istanbul إسطنبول. ",
    "emoji": "🎉✊🏽 تضامن 👩‍👩‍👧 solidarity 🇸🇾 🕊️ ",
}


def subjects():
    for kind, text in TEXTS.items():
        for length in range(1, 301):
            subject = (text * 5)[:length].strip()
            if subject:
                yield kind, subject


def wire(email):
    """The message as the SMTP backend sends it."""
    return email.message().as_bytes(linesep="\r\n")


def header_lines(raw, name):
    """The physical lines of header `name` in `raw`, its own name included."""
    lines, inside = [], False
    for line in raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        if line[:1] in (b" ", b"\t"):
            if inside:
                lines.append(line)
            continue
        inside = line.lower().startswith(name.lower().encode() + b":")
        if inside:
            lines.append(line)
    return lines


def out_of_bounds(raw, name):
    """(encoded-words over 75, lines over 76) in header `name`."""
    lines = header_lines(raw, name)
    words = [w for line in lines for w in ENCODED_WORD.findall(line) if len(w) > MAX_WORD]
    return words, [line for line in lines if len(line) > MAX_LINE]


@pytest.mark.parametrize("kind", sorted(TEXTS))
def test_subjects_of_every_length_stay_within_rfc_2047_limits_and_decode_exactly(kind):
    wrong = []
    for _kind, subject in (pair for pair in subjects() if pair[0] == kind):
        raw = wire(StandardEmail(subject, "body", "hamla@example.org", ["a@example.org"]))
        words, lines = out_of_bounds(raw, "Subject")
        parsed = BytesParser(policy=policy.strict).parsebytes(raw)["Subject"]
        if words or lines or parsed != subject:
            wrong.append((subject, words, lines, parsed))
    assert wrong == []


def test_a_second_decoder_reads_the_same_subject():
    subject = (TEXTS["emoji"] + TEXTS["arabic"]) * 2
    raw = wire(StandardEmail(subject.strip(), "body", "hamla@example.org", ["a@example.org"]))
    value = b"".join(line.split(b":", 1)[1] if i == 0 else line for i, line in enumerate(header_lines(raw, "Subject")))
    assert str(make_header(decode_header(value.decode("ascii")))) == subject.strip()


@pytest.mark.parametrize("length", [1, 20, 40, 60, 120])
def test_an_arabic_display_name_stays_within_rfc_2047_limits_and_decodes_exactly(length):
    """Decoded by RFC 2047 §6.2 (whitespace between adjacent encoded-words is dropped);
    Python's display-name parser keeps it, so its reading is checked word by word."""
    name = ("جمعية الدفاع عن حقوق المعتقلين والمفقودين في سوريا " * 3)[:length].strip()
    raw = wire(StandardEmail("Hi", "body", f"{name} <news@example.org>", ["a@example.org"]))
    lines = header_lines(raw, "From")
    value = b"".join(line.split(b":", 1)[1] if i == 0 else line for i, line in enumerate(lines))
    sender = BytesParser(policy=policy.strict).parsebytes(raw)["From"].addresses[0]
    assert (
        out_of_bounds(raw, "From"),
        str(make_header(decode_header(value.decode("ascii")))),
        sender.display_name.split(),
        sender.addr_spec,
    ) == (
        ([], []),
        f"{name} <news@example.org>",
        name.split(),
        "news@example.org",
    )


def test_plain_ascii_stays_readable_and_text_that_looks_encoded_is_encoded():
    assert (
        fold("Subject", "Monthly news"),
        fold("Subject", "=?utf-8?b?2K3ZhdmE2Kk=?=")[0].startswith("=?utf-8?b?"),
    ) == (
        ["Monthly news"],
        True,
    )


def test_a_line_break_in_a_header_is_refused():
    with pytest.raises(ValueError):
        fold("Subject", "News\r\nBcc: everyone@example.org")
