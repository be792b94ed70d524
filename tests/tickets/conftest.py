"""Ticket fixtures: dora (door staff at Acme), an Acme event with three tickets."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from tests.factories import MembershipFactory, UserFactory
from tickets import services


@pytest.fixture
def dora(acme, alice):
    user = UserFactory(email="dora@example.com", full_name="Dora Door")
    MembershipFactory(user=user, workspace=acme, role=Role.DOOR)
    return user


def make_event(workspace, actor, name="Spring Gala", **kwargs):
    now = timezone.now()
    return services.event_create(
        workspace=workspace,
        actor=actor,
        name=name,
        venue="Town Hall",
        starts_at=kwargs.pop("starts_at", now - timedelta(hours=1)),
        ends_at=kwargs.pop("ends_at", now + timedelta(hours=5)),
        time_zone="Europe/Berlin",
        **kwargs,
    )


@pytest.fixture
def event(acme, alice):
    return make_event(acme, alice)


@pytest.fixture
def tickets(event, alice):
    return services.ticket_issue_many(
        event=event,
        actor=alice,
        items=[
            {"holder_name": "Ada Lovelace", "ticket_type": "VIP", "external_id": "o-1"},
            {"holder_name": "Alan Turing", "ticket_type": "Standard", "external_id": "o-2"},
            {"holder_name": "Grace Hopper", "ticket_type": "Standard", "external_id": "o-3"},
        ],
    )


@pytest.fixture
def ticket(tickets):
    return tickets[0]
