from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Membership, Role, User, Workspace

DEMO_EMAIL = "demo@example.com"
# A local demo login, printed on the console by `make run`; never created in production.
DEMO_PASSWORD = "demo-password-123"  # noqa: S105


class Command(BaseCommand):
    help = "Idempotently create the demo workspace, the demo login and sample data."

    @transaction.atomic
    def handle(self, *args, **options):
        user = User.objects.filter(email__iexact=DEMO_EMAIL).first()
        if user is None:
            user = User.objects.create_user(
                email=DEMO_EMAIL, password=DEMO_PASSWORD, full_name="Demo Marketer"
            )
        workspace, _ = Workspace.objects.get_or_create(slug="demo", defaults={"name": "Demo"})
        Membership.objects.get_or_create(
            user=user, workspace=workspace, defaults={"role": Role.OWNER}
        )
        # Apps that own sample data (codes, scans) add it through their own seeding hook.
        for app_config in apps.get_app_configs():
            seed = getattr(app_config, "seed_demo", None)
            if seed is not None:
                seed(workspace=workspace, user=user, stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo login: {DEMO_EMAIL} / {DEMO_PASSWORD}  (workspace “{workspace.name}”)"
            )
        )
