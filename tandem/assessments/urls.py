from .views import assessments

app_name = "assessments"

urlpatterns = [*assessments.urlpatterns]
