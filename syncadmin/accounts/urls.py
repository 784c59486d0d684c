from django.urls import path

from syncadmin.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("connect/", views.connect, name="connect"),
    path("connect/salesforce/", views.connect_salesforce, name="connect_salesforce"),
    path("connect/salesforce/callback/", views.sf_callback, name="sf_callback"),
    path("connect/hubspot/", views.connect_hubspot, name="connect_hubspot"),
    path("connect/hubspot/callback/", views.hs_callback, name="hs_callback"),
    path("connect/hubspot/token/", views.hs_token, name="hs_token"),
]
