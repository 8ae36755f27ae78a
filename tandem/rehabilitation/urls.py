app_name = "rehabilitation"

urlpatterns = []
