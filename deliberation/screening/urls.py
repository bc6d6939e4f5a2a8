from django.urls import path

from . import views

app_name = "screening"

urlpatterns = [
    path(
        "sessions/<int:session_id>/screening/flags.json",
        views.flags_open,
        name="flags_open",
    ),
    path(
        "sessions/<int:session_id>/screening/flags.tsv",
        views.flags_export,
        name="flags_export",
    ),
]
