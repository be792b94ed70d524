"""Factories that write rows directly, for tests that need data without the services
(selectors, the redirect reading a row written around the services)."""

import factory

from codes.models import CampaignGroup, Kind, QRCode, SlugClaim
from qrsite.ids import random_base62
from tests.factories import UserFactory, WorkspaceFactory


def _claimed_slug() -> str:
    slug = random_base62(7)
    SlugClaim.objects.create(slug=slug)
    return slug


class CampaignGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CampaignGroup

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Campaign {n}")
    slug = factory.Sequence(lambda n: f"campaign-{n}")


class QRCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QRCode

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Code {n}")
    kind = Kind.DYNAMIC
    content_type = "url"
    destination = factory.Sequence(lambda n: f"https://example.com/landing/{n}")
    slug = factory.LazyFunction(_claimed_slug)
    created_by = factory.SubFactory(UserFactory)
