from .views import advice

app_name = "meetings"

# Each area keeps its own URL list next to its views.
urlpatterns = [
    *advice.urlpatterns,
]
