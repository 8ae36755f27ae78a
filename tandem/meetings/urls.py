from .views import advice, brief, calendar, claims, contact, lone_working, policy, sessions

app_name = "meetings"

# Each area keeps its own URL list next to its views.
urlpatterns = [
    *sessions.urlpatterns,
    *brief.urlpatterns,
    *contact.urlpatterns,
    *lone_working.urlpatterns,
    *calendar.urlpatterns,
    *claims.urlpatterns,
    *advice.urlpatterns,
    *policy.urlpatterns,
]
