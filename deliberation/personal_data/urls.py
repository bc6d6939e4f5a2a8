from __future__ import annotations

from django.urls import path

from . import views

app_name = "personal_data"

urlpatterns = [
    path("privacy/", views.notice, name="notice"),
    path("privacy/v<int:version>/", views.notice, name="notice_version"),
    path("privacy/consent/", views.consent, name="consent"),
    path("my/data/", views.my_data, name="my_data"),
    path("my/data/export.<str:fmt>", views.my_data_export, name="my_data_export"),
    path("my/data/optional/withdraw/", views.my_data_optional_withdraw, name="optional_withdraw"),
    path("my/data/withdraw/", views.my_data_withdraw, name="withdraw"),
]
