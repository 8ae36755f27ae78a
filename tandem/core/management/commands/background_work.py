"""Report the background work: how much is queued, running, done and failed, and which
failed for good; exits 1 when any failed, so that cron or a monitor can alert. With
``--prune-days`` it first deletes the record of old finished work."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils import timezone

from tandem.core.models import BackgroundWork


class Command(BaseCommand):
    help = "Report queued, running, done and failed background work (exit 1 if any failed)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--prune-days",
            type=int,
            default=None,
            help="First delete the record of work done more than this many days ago.",
        )

    def handle(self, *args, prune_days=None, **options):
        if prune_days is not None:
            if prune_days < 1:
                raise CommandError("--prune-days must be at least 1.")
            deleted, _ = BackgroundWork.objects.filter(
                status=BackgroundWork.Status.DONE,
                finished_at__lt=timezone.now() - dt.timedelta(days=prune_days),
            ).delete()
            self.stdout.write(f"Pruned: {deleted}")
        counts = dict(
            BackgroundWork.objects.values_list("status").annotate(n=Count("pk")).order_by()
        )
        for status in BackgroundWork.Status:
            self.stdout.write(f"{status.label}: {counts.get(status.value, 0)}")
        failed = BackgroundWork.objects.filter(status=BackgroundWork.Status.FAILED).order_by(
            "-finished_at"
        )[:50]
        for work in failed:
            self.stdout.write(
                f"failed {work.finished_at:%Y-%m-%d %H:%M} {work.function} "
                f"after {work.attempts} attempts ({work.last_error})"
            )
        if counts.get(BackgroundWork.Status.FAILED, 0):
            raise CommandError("Some background work failed for good.")
