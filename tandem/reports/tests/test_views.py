"""The evaluator's export page: asked for with a purpose, made in the background,
downloaded by the evaluator who asked; all of it audited."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse

from conftest import create_user, sign_in
from tandem.audit.models import AuditEvent
from tandem.cases.tests.factories import make_case
from tandem.reports.models import EvaluationExport, ExportStatus

pytestmark = pytest.mark.django_db
PAGE = reverse("reports:exports")


def _evaluator(client):
    user = create_user("evaluator")
    sign_in(client, user)
    return user


def test_an_export_is_made_and_downloaded_with_its_purpose_audited(
    client, django_capture_on_commit_callbacks
):
    for _ in range(6):
        make_case(age_at_referral=17, gender="male")
    user = _evaluator(client)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PAGE, {"purpose": "Engagement by approach, 2026"})
    assert "is being made" in client.get(response.url).content.decode()
    response = client.get(PAGE)
    export = EvaluationExport.objects.get(requested_by=user)
    assert (
        export.status == ExportStatus.READY
    )  # the test settings run tasks at once, after the commit
    assert "Download" in response.content.decode()
    actions = set(
        AuditEvent.objects.filter(object_id=str(export.pk)).values_list("action", flat=True)
    )
    assert {"evaluation_export.request", "evaluation_export.create"} <= actions
    download = client.get(reverse("reports:export_download", args=[export.pk]))
    assert download["Content-Type"] == "application/zip"
    assert "attachment" in download["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        assert "manifest.json" in archive.namelist()
    assert AuditEvent.objects.filter(
        action="evaluation_export.download", object_id=str(export.pk), actor=user
    ).exists()


def test_a_purpose_is_required_and_what_was_typed_is_kept(client):
    _evaluator(client)
    response = client.post(PAGE, {"purpose": "short"})
    body = response.content.decode()
    assert response.status_code == 200 and "at least 10 characters" in body and "short" in body
    assert not EvaluationExport.objects.exists()


def test_an_evaluator_cannot_download_another_evaluators_export(client):
    other = create_user("evaluator")
    export = EvaluationExport.objects.create(
        requested_by=other, purpose="Someone else's", status=ExportStatus.READY, archive=b"PK"
    )
    _evaluator(client)
    assert client.get(reverse("reports:export_download", args=[export.pk])).status_code == 404
    assert "Someone else" not in client.get(PAGE).content.decode()


def test_an_export_not_ready_is_not_downloaded(client):
    user = _evaluator(client)
    export = EvaluationExport.objects.create(requested_by=user, purpose="Still waiting here")
    response = client.get(reverse("reports:export_download", args=[export.pk]), follow=True)
    assert "not ready" in response.content.decode()


def test_the_page_reads_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    user = _evaluator(client)
    client.get(PAGE)
    for n in range(25):
        EvaluationExport.objects.create(requested_by=user, purpose=f"Export number {n:02d}")
    with django_assert_max_num_queries(12):
        body = client.get(PAGE).content.decode()
    assert "Export number 24" in body and "Export number 00" not in body  # newest 20


def test_a_second_run_of_the_task_does_nothing(client):
    from tandem.reports.tasks import make_evaluation_export

    user = create_user("evaluator")
    export = EvaluationExport.objects.create(requested_by=user, purpose="Run me only once")
    make_evaluation_export(export.pk)
    first = EvaluationExport.objects.get(pk=export.pk)
    make_evaluation_export(export.pk)
    assert EvaluationExport.objects.get(pk=export.pk).finished_at == first.finished_at
    assert AuditEvent.objects.filter(action="evaluation_export.create").count() == 1
