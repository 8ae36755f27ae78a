from .views import brief, sessions

app_name = "meetings"

urlpatterns = [*sessions.urlpatterns, *brief.urlpatterns]
