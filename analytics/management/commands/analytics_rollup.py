"""Bring the analytics rollups up to date now, or redo past days from the raw scans.

    manage.py analytics_rollup                 # what the periodic task does
    manage.py analytics_rollup --redo 2026-03-01 2026-03-31

Redoing is for scans removed around the services (a code deleted in the admin): the periodic
run notices new scans, not deleted ones. Each day is recomputed whole, so redoing is safe.
"""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError

from analytics.rollups import rollup_day, rollup_run


class Command(BaseCommand):
    help = "Roll up finished days now, or redo a range of days (UTC) from the raw scans."

    def add_arguments(self, parser):
        parser.add_argument("--redo", nargs=2, metavar=("FIRST", "LAST"), type=date.fromisoformat)

    def handle(self, *args, redo=None, **options):
        if redo:
            first, last = redo
            if last < first:
                raise CommandError("LAST must be on or after FIRST.")
            scans = 0
            for offset in range((last - first).days + 1):
                scans += rollup_day(day=first + timedelta(days=offset))
            self.stdout.write(f"Redid {(last - first).days + 1} days ({scans} scans).")
            return
        run = rollup_run()
        if not run.claimed:
            self.stdout.write("Another worker is rolling up right now; nothing done.")
            return
        self.stdout.write(f"Rolled up {len(run.days)} days ({run.scans} scans).")
