from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts import selectors, services
from accounts.models import ApiScope, Workspace


class Command(BaseCommand):
    help = (
        "Create an API key for a workspace and print only the key (for scripts: "
        "KEY=$(manage.py create_api_key ...)). The key acts as the workspace's first owner."
    )

    def add_arguments(self, parser):
        parser.add_argument("--workspace", required=True, metavar="SLUG")
        parser.add_argument("--scope", required=True, choices=ApiScope.values)
        parser.add_argument("--name", default="Command line", help="Shown in the key list.")
        parser.add_argument(
            "--test",
            action="store_true",
            help="A test key (qr_test_...): it works in the workspace's sandbox only.",
        )

    def handle(self, *args, workspace, scope, name, test=False, **options):
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace with the slug “{workspace}”.")
        owner = selectors.workspace_first_owner(workspace=ws)
        if owner is None:
            raise CommandError(f"Workspace “{workspace}” has no owner to act for the key.")
        try:
            _, key = services.api_key_create(
                workspace=ws, actor=owner, name=name, scope=scope, test=test
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        # Only the key on stdout, so a script can capture it.
        self.stdout.write(key)
