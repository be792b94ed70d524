import secrets

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import services
from accounts.models import User


class Command(BaseCommand):
    help = "Create a workspace owned by EMAIL; creates that user if needed (printing a password)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--owner", required=True, metavar="EMAIL")
        parser.add_argument("--name", help="Display name (defaults to the slug).")

    @transaction.atomic
    def handle(self, *args, slug, owner, name=None, **options):
        password = None
        user = User.objects.filter(email__iexact=owner).first()
        if user is None:
            password = secrets.token_urlsafe(12)
            user = User.objects.create_user(email=owner, password=password)
        try:
            workspace = services.workspace_create(name=name or slug, owner=user, slug=slug)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            f"Created workspace {workspace.slug} ({workspace.public_id}) owned by {user.email}"
        )
        if password:
            self.stdout.write(f"Created user {user.email} with password: {password}")
