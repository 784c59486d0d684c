from django.urls import path

from syncadmin.integration import views

app_name = "integration"
urlpatterns = [
    path("contacts/", views.contacts, name="contacts"),
    path("audit/", views.audit_log, name="audit"),
]
