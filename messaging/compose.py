"""Turning what an organizer writes into a safe email body.

The body is Markdown (inline HTML allowed, then sanitised by nh3). Merge fields
are a fixed whitelist substituted by plain string replacement: no template
engine ever sees the organizer's text, so `{{ settings.SECRET_KEY }}`,
`{% load %}` or filters cannot reach anything.

Rendering is split in two so a send of 100,000 messages does the expensive part
once: `prepare()` renders Markdown, sanitises it and leaves each merge field as
an inert placeholder; `fill()` swaps the placeholders for one recipient's
(escaped) values with a single regular-expression pass.
"""

import html
import re
from html.parser import HTMLParser

import markdown
import nh3
from django.utils import translation
from django.utils.translation import gettext_lazy as _

# name -> whether it is a URL (URLs are only ever produced by Hamla itself).
MERGE_FIELDS = {
    "first_name": False,
    "last_name": False,
    "unsubscribe_url": True,
    "preferences_url": True,
}
# What a merge field is called on the compose page's buttons and in the preview's chips.
MERGE_FIELD_LABELS = {
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "unsubscribe_url": _("Unsubscribe link"),
    "preferences_url": _("Preferences link"),
}
MERGE_FIELD_HELP = _(
    "Merge fields you may use: {{ first_name }}, {{ last_name }}, {{ unsubscribe_url }}, {{ preferences_url }}."
)

FIELD_RE = re.compile(r"\{\{\s*([A-Za-z0-9_.|:'\" -]*?)\s*\}\}")
TEMPLATE_TAG_RE = re.compile(r"\{%.*?%\}", re.S)
# Private-use characters: Markdown, nh3 and the email template all pass them through untouched.
PLACEHOLDER = "\ue000{}\ue001"
PLACEHOLDER_RE = re.compile("\ue000([a-z_]+)\ue001")

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "b", "em", "i", "u", "s", "a", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "blockquote", "code", "pre", "span", "div",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "*": {"dir", "lang"}}
URL_SCHEMES = {"http", "https", "mailto"}


# A merge field inside a link target: Markdown "](…{{ x }}…)" or an HTML href="…{{ x }}…".
LINK_FIELD_RE = re.compile(r"""(?:\]\(\s*<?|href\s*=\s*["']?)[^)"'\s>]*\{\{\s*([A-Za-z0-9_]+)\s*\}\}""", re.I)


def merge_field_errors(text):
    """Problems with the merge fields and links in `text`, as translated messages (empty
    when fine)."""
    errors = []
    for match in FIELD_RE.finditer(text or ""):
        name = match.group(1)
        if name not in MERGE_FIELDS:
            errors.append(_("Unknown merge field “%(field)s”.") % {"field": match.group(0)})
    for match in LINK_FIELD_RE.finditer(text or ""):
        if not MERGE_FIELDS.get(match.group(1)):
            # A supporter's name in a link could make it javascript: or break its address.
            errors.append(_("Only {{ unsubscribe_url }} and {{ preferences_url }} may be used in a link address."))
            break
    if TEMPLATE_TAG_RE.search(text or ""):
        errors.append(_("Template tags ({% … %}) are not allowed."))
    if "\ue000" in (text or "") or "\ue001" in (text or ""):
        errors.append(_("The text contains reserved characters."))
    elif "](" in (text or "") or "href" in (text or "").lower():
        hrefs = _HREF_RE.findall(body_html(text))
        if any(not (PLACEHOLDER_RE.fullmatch(h) or re.match(r"(?i)(https?:|mailto:)", h)) for h in hrefs if h):
            # A relative link ("/page") leads nowhere from an inbox.
            errors.append(_("Links must be full addresses, starting with https:// or mailto:."))
    return errors


def _placeholders(text):
    """Known merge fields become placeholders; anything else stays literal text."""

    def swap(match):
        name = match.group(1)
        return PLACEHOLDER.format(name) if name in MERGE_FIELDS else match.group(0)

    return FIELD_RE.sub(swap, (text or "").replace("\ue000", "").replace("\ue001", ""))


def sanitise_html(fragment):
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


# Directional isolates (LRI, RLI, FSI, PDI): the compose page's buttons put a merge field or
# a link address between them so it reads in order inside a right-to-left textarea. They are
# only for the writer's eyes: the email isolates with markup instead.
ISOLATES = dict.fromkeys(range(0x2066, 0x206A))


def body_html(source):
    """Markdown source -> sanitised HTML fragment with merge-field placeholders, each block
    with its own direction and each merge field isolated (see `directions`)."""
    source = (source or "").translate(ISOLATES)
    rendered = markdown.markdown(_placeholders(source), extensions=["sane_lists", "nl2br"], output_format="html")
    return directions(_guard_links(sanitise_html(rendered)))


# A tag of nh3's output (attribute values are always double-quoted, and may hold ">").
_TAG_RE = re.compile(r'<(?:[^>"]|"[^"]*")*>')
_BLOCK_RE = re.compile(r"<(p|li|h[1-4]|blockquote|td|th)>")
# Strong right-to-left letters (Hebrew, Arabic, Syriac, Thaana, N'Ko and their presentation forms).
_RTL_RE = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def text_direction(text, default="auto"):
    """ "rtl" or "ltr" by the first strong letter of `text` (merge-field placeholders are not
    text: a name may be in either script), else `default`."""
    for char in PLACEHOLDER_RE.sub("", html.unescape(_TAG_RE.sub("", text))):
        if _RTL_RE.match(char):
            return "rtl"
        if char.isalpha():
            return "ltr"
    return default


def directions(fragment):
    """Every paragraph, list item, heading, quote and cell gets `dir` from its own first strong
    letter (an English paragraph in an Arabic newsletter reads left to right, punctuation at its
    end; mail clients that ignore dir="auto" honour an explicit one), and every merge field in
    text is an isolate (`<span dir="auto">`), so "مرحبا Salma!" keeps its "!" where it belongs."""

    def block(match):
        tag = match.group(1)
        end = fragment.find(f"</{tag}>", match.end())
        inner = fragment[match.end() : end if end != -1 else None]
        if tag == "li":  # up to a nested list: its items have their own direction
            inner = re.split(r"<[ou]l>", inner, maxsplit=1)[0]
        return f'<{tag} dir="{text_direction(inner)}">'

    fragment = _BLOCK_RE.sub(block, fragment)
    return _in_text(fragment, lambda m: f'<span dir="auto">{m.group(0)}</span>')


def _in_text(fragment, replace):
    """Apply `replace` to the placeholders of the fragment's text, never inside a tag."""
    parts = _TAG_RE.split(fragment)
    tags = _TAG_RE.findall(fragment)
    out = []
    for i, text in enumerate(parts):
        out.append(PLACEHOLDER_RE.sub(replace, text))
        if i < len(tags):
            out.append(tags[i])
    return "".join(out)


_HREF_RE = re.compile(r'href="([^"]*)"')


def _guard_links(fragment):
    """A link address may be one of Hamla's own URLs, whole, and nothing else: the
    sanitiser passed "{{ first_name }}" as a harmless relative address, which a name
    like "javascript:…" would have turned into a script. Any other placeholder in an
    address is dropped (merge_field_errors tells the organizer before it comes to this)."""

    def guard(match):
        href = match.group(1)
        names = PLACEHOLDER_RE.findall(href)
        if not names or (href == PLACEHOLDER.format(names[0]) and MERGE_FIELDS.get(names[0])):
            return match.group(0)
        return f'href="{PLACEHOLDER_RE.sub("", href)}"'

    return _HREF_RE.sub(guard, fragment)


def preheader(fragment, length=140):
    """The inbox snippet: the text without link addresses (a recipient's unsubscribe
    link is nobody's preview), never cut inside a merge-field placeholder."""
    text = html_to_text(fragment, links=False)[:length]
    opened, closed = text.rfind("\ue000"), text.rfind("\ue001")
    return text[:opened] if opened > closed else text


def subject_template(subject):
    return _placeholders(" ".join((subject or "").split()))


class _TextMaker(HTMLParser):
    BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "blockquote", "pre", "table", "tr", "ul", "ol", "hr"}

    def __init__(self, links=True):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.links = []
        self.show_links = links

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag == "a":
            self.links.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag):
        if tag == "a" and self.links:
            href = self.links.pop()
            if href and self.show_links:
                self.parts.append(f" ({href})")
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        self.parts.append(data)


def html_to_text(fragment, links=True):
    """A readable plain-text alternative of a sanitised HTML fragment (with link
    addresses in brackets unless `links` is false)."""
    maker = _TextMaker(links)
    maker.feed(fragment)
    maker.close()
    text = "".join(maker.parts)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def fill(template, values, escape):
    """Replace placeholders with one recipient's values (HTML-escaped when `escape`)."""
    if escape:
        values = {k: html.escape(v) for k, v in values.items()}
    return PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), ""), template)


def sample_values(language="ar"):
    """Values used in previews and titles: a made-up supporter, never a real one."""
    return {
        "first_name": "سلمى" if language == "ar" else "Salma",
        "last_name": "الحلبي" if language == "ar" else "Halabi",
        "unsubscribe_url": "#unsubscribe",
        "preferences_url": "#preferences",
    }


def sample_subject(message, language=None):
    """The subject a page shows for `message` (in `language`, else the active one, falling
    back to the other version): its merge fields filled for the sample supporter of the
    language it is written in, never "{{ first_name }}" (nor a real supporter's name)."""
    first = language if language in ("ar", "en") else translation.get_language() or "ar"
    first = "en" if first.startswith("en") else "ar"
    for code in (first, "en" if first == "ar" else "ar"):
        subject = getattr(message, f"subject_{code}", "") or ""
        if subject.strip():
            return fill(subject_template(subject), sample_values(code), escape=False)
    return ""


CHIP_STYLE = (
    ".merge-chip{display:inline-block;padding:0 .45em;border-radius:1em;background:#e3f1ec;"
    "color:#0b4f39;border:1px solid #b7d9cc;font-size:.92em;line-height:1.5;white-space:nowrap}"
    '.merge-chip::before{content:attr(data-label) " \\00B7  ";font-size:.8em;opacity:.8}'
)


def preview(prepared_html, language):
    """The email as the preview shows it to the organizer: each merge field in the body is a
    labelled chip (the field's name, then the sample supporter's value), link addresses and
    the subject get the sample values, and no braces show anywhere."""
    values = {name: html.escape(value) for name, value in sample_values(language).items()}
    with translation.override(language):
        labels = {name: html.escape(str(label)) for name, label in MERGE_FIELD_LABELS.items()}

    def chip(match):
        name = match.group(1)
        return f'<span class="merge-chip" data-field="{name}" data-label="{labels[name]}">{values[name]}</span>'

    head, body_tag, body = prepared_html.partition("<body")
    if body_tag:
        head = head.replace("</style>", CHIP_STYLE + "\n</style>", 1)
        body = _in_text(body_tag + body, lambda m: chip(m) if m.group(1) in values else "")
    sample = lambda m: values.get(m.group(1), "")  # noqa: E731
    return PLACEHOLDER_RE.sub(sample, head) + PLACEHOLDER_RE.sub(sample, body)
