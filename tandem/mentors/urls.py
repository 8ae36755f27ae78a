from .views import applications, pool, records, self_service

app_name = "mentors"

# Each area of the register keeps its own URL list next to its views.
urlpatterns = [
    *pool.urlpatterns,
    *applications.urlpatterns,
    *records.urlpatterns,
    *self_service.urlpatterns,
]
