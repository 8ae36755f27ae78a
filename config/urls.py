from django.urls import include, path

urlpatterns = [
    path("", include("tandem.core.urls")),
    path("", include("tandem.site.urls")),
    path("accounts/", include("tandem.accounts.urls")),
    path("audit/", include("tandem.audit.urls")),
    path("catalogues/", include("tandem.catalogues.urls")),
    path("mentors/", include("tandem.mentors.urls")),
    path("cases/", include("tandem.cases.urls")),
    path("cases/", include("tandem.assessments.urls")),
    path("", include("tandem.matching.urls")),
    path("meetings/", include("tandem.meetings.urls")),
    path("rehabilitation/", include("tandem.rehabilitation.urls")),
    path("safeguarding/", include("tandem.safeguarding.urls")),
    path("supervision/", include("tandem.supervision.urls")),
    path("outcomes/", include("tandem.outcomes.urls")),
    path("privacy/", include("tandem.privacy.urls")),
    path("reports/", include("tandem.reports.urls")),
]

handler400 = "tandem.core.views.bad_request"
handler403 = "tandem.core.views.permission_denied"
handler404 = "tandem.core.views.page_not_found"
handler500 = "tandem.core.views.server_error"
