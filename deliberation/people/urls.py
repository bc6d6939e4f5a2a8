from __future__ import annotations

from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("signin/", views.SignInView.as_view(), name="login"),
    path("signout/", views.sign_out, name="logout"),
    path("join/", views.quick_join, name="quick_join"),
    path("account/attach/", views.attach_account, name="attach_account"),
]
