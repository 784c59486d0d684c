from django.urls import path

from syncadmin.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.overview, name="overview"),
]
