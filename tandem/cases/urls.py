from .views import (
    casework,
    closure,
    diversity,
    due,
    follow_ups,
    goals,
    lists,
    plans,
    referrals,
    reviews,
    search,
)

app_name = "cases"

# Each area keeps its own URL list next to its views.
urlpatterns = [
    *lists.urlpatterns,
    *search.urlpatterns,
    *referrals.urlpatterns,
    *casework.urlpatterns,
    *diversity.urlpatterns,
    *due.urlpatterns,
    *plans.urlpatterns,
    *goals.urlpatterns,
    *reviews.urlpatterns,
    *closure.urlpatterns,
    *follow_ups.urlpatterns,
]
