from .views import calendar, contact, lone_working

app_name = "meetings"

# Each area keeps its own URL list next to its views.
urlpatterns = [
    *contact.urlpatterns,
    *lone_working.urlpatterns,
    *calendar.urlpatterns,
]
