from django.urls import path

from . import views

app_name = "catalogues"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:kind>/", views.entry_list, name="entry_list"),
    path("<slug:kind>/add/", views.entry_add, name="entry_add"),
    path("<slug:kind>/<int:pk>/", views.entry_edit, name="entry_edit"),
    path("<slug:kind>/<int:pk>/move/", views.entry_move, name="entry_move"),
    path("<slug:kind>/<int:pk>/retire/", views.entry_retire, name="entry_retire"),
    path("<slug:kind>/<int:pk>/reinstate/", views.entry_reinstate, name="entry_reinstate"),
    path("<slug:kind>/<int:pk>/delete/", views.entry_delete, name="entry_delete"),
]
