"""``python manage.py precompute_dashboard``: compute the board's dashboard for the default
range (the last four complete quarters) and keep it in the cache, so that the first
board member to open it does not wait. Scheduled every 10 minutes (deploy/tandem.cron)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from ...dashboard import dashboard, default_range


class Command(BaseCommand):
    help = "Compute the board's dashboard for the last four complete quarters into the cache."

    def handle(self, *args, **options):
        start, end = default_range()
        dashboard(start, end, refresh=True)
        if options["verbosity"] > 1:
            self.stdout.write(f"Dashboard computed for {start:%-d %B %Y} to {end:%-d %B %Y}.")
