from .downloads import urlpatterns as download_urls
from .views import urlpatterns as page_urls

app_name = "outcomes"

urlpatterns = [*page_urls, *download_urls]
