"""``python manage.py precompute_dashboard``: compute the board's dashboard for the default
range (the last four complete quarters) and the evaluation analytics, and keep them
(``tandem.reports.kept``), so that the first board member or evaluator to open them does
not wait. Scheduled every 10 minutes (deploy/tandem.cron)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from ... import analytics
from ...dashboard import dashboard, default_range


class Command(BaseCommand):
    help = (
        "Compute the board's dashboard for the last four complete quarters and the "
        "evaluation analytics, and keep them for the pages."
    )

    def handle(self, *args, **options):
        start, end = default_range()
        dashboard(start, end, refresh=True)
        analytics.figures(refresh=True)
        if options["verbosity"] > 1:
            self.stdout.write(
                f"Dashboard computed for {start:%-d %B %Y} to {end:%-d %B %Y}; analytics computed."
            )
