from .views import claims

app_name = "meetings"

urlpatterns = [
    *claims.urlpatterns,
]
