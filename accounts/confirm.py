"""The confirmation step every weighty action goes through (cancel a campaign, freeze or
deactivate a member, delete a list, a tag, a segment…).

The page says in words what will happen, and its form repeats the POST with a field
`confirm=<code>`. A view acts only when `confirmed(request, code)`; otherwise it shows
this page (a GET, or a POST from a one-click button without the field: nothing happens
until the person has read the sentence). No JavaScript involved.
"""

from dataclasses import dataclass, field

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _


def confirmed(request, code):
    return request.method == "POST" and request.POST.get("confirm") == code


@dataclass
class Confirmation:
    code: str  # the value the confirming POST carries in `confirm`
    question: str  # "Cancel ‘Clean Aleppo 2026’?"
    consequences: list  # sentences saying what will happen, and what stays
    button: str  # "Yes, cancel the campaign"
    action: str  # where the form posts
    back: str  # where "keep" goes
    fields: list = field(default_factory=list)  # (name, value) hidden fields to repeat
    keep: str = _("No, go back")
    danger: bool = True

    @property
    def title(self):
        return self.question


def render_confirmation(request, confirmation, status=200):
    return render(request, "accounts/confirm.html", {"confirm": confirmation}, status=status)
