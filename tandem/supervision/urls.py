from .views.pages import urlpatterns

app_name = "supervision"

__all__ = ["app_name", "urlpatterns"]
