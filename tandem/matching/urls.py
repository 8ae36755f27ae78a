from .views import batches, cases, insights, matches, policy

app_name = "matching"

# Each area keeps its own URL list next to its views.
urlpatterns = [
    *cases.urlpatterns,
    *matches.urlpatterns,
    *batches.urlpatterns,
    *insights.urlpatterns,
    *policy.urlpatterns,
]
