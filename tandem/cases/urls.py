from .views import casework, lists, plans, referrals

app_name = "cases"

# Each area keeps its own URL list next to its views.
urlpatterns = [
    *lists.urlpatterns,
    *referrals.urlpatterns,
    *casework.urlpatterns,
    *plans.urlpatterns,
]
