"""Saving an edit form unchanged changes nothing: the organisation's history is never
rewritten by accident (an action's edit form once showed today's date, so fixing a typo
moved the 2011 founding to the current year)."""

import io

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from campaigns.models import Action, Campaign
from devtools.demo import load
from tests.factories import organizer_client

pytestmark = pytest.mark.django_db


def resubmit(client, url):
    """GET the form and POST back exactly what it shows."""
    form = client.get(url).context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif (shown := field.widget.format_value(value)) is not None:
            data[name] = shown
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response


def snapshot():
    actions = {a.pk: model_to_dict(a) for a in Action.objects.all()}
    campaigns = {c.pk: model_to_dict(c) for c in Campaign.objects.all()}
    return actions, campaigns


def test_every_demo_action_and_campaign_saved_unchanged_stays_as_it_was():
    load(io.StringIO())
    client = organizer_client()
    before = snapshot()
    for action in Action.objects.all():
        resubmit(client, reverse("campaigns:action_edit", args=[action.campaign_id, action.pk]))
    for campaign in Campaign.objects.all():
        resubmit(client, reverse("campaigns:edit", args=[campaign.pk]))
    assert snapshot() == before
