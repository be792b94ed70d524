"""Write the error-code table of docs/api.md from the code (`ERROR_CODES`), so it cannot drift."""

import re
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from qrsite.api.errors import ERROR_TABLE_END, ERROR_TABLE_START, error_table_markdown


class Command(BaseCommand):
    help = "Regenerate the error-code table in docs/api.md (or print it with --print)."

    def add_arguments(self, parser):
        parser.add_argument("--print", action="store_true", help="Print the table only.")

    def handle(self, *args, print=False, **options):
        table = error_table_markdown()
        if print:
            self.stdout.write(table)
            return
        path = Path(settings.BASE_DIR) / "docs" / "api.md"
        text = path.read_text()
        block = re.compile(re.escape(ERROR_TABLE_START) + ".*?" + re.escape(ERROR_TABLE_END), re.S)
        if not block.search(text):
            raise CommandError(f"{path} has no error-table markers.")
        path.write_text(block.sub(lambda _: table, text))
        self.stdout.write(f"Wrote the error table into {path}.")
