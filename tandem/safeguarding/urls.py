from .views import concerns, policy, raising

app_name = "safeguarding"

urlpatterns = [*raising.urlpatterns, *policy.urlpatterns, *concerns.urlpatterns]
