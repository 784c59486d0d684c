from django.urls import path

from syncadmin.integration import (
    activity_views,
    custom_views,
    header_views,
    import_views,
    mapping_views,
    views,
    wizard,
)
from syncadmin.sync import objects

app_name = "integration"


def _tab_name(key: str) -> str:
    """The URL name of an object's settings tab, from its spec ("integration:deals")."""
    return objects.get(key).settings_tab.rpartition(":")[2] or key


urlpatterns = [
    path("features/", views.features, name="features"),
    path("contacts/", views.contacts, name="contacts"),
    # One tab per standard object of the registry: /companies/ named "companies", …
    *[path(f"{key}/", views.object_tab, {"object": key}, name=_tab_name(key))
      for key in objects.standard_keys()],
    path("values/add/", views.value_mapping_add, name="value_mapping_add"),
    path("values/<int:pk>/", views.value_mapping, name="value_mapping"),
    path("values/<int:pk>/remove/", views.value_mapping_remove, name="value_mapping_remove"),
    path("custom-objects/", custom_views.custom_objects, name="custom_objects"),
    path("custom-objects/<int:pk>/", custom_views.custom_object, name="custom_object"),
    path("import/", import_views.start, name="import"),
    path("import/<int:pk>/", import_views.progress, name="import_run"),
    path("import/<int:pk>/cancel/", import_views.cancel, name="import_cancel"),
    path("import/<int:pk>/resume/", import_views.resume, name="import_resume"),
    path("activities/", views.activities, name="activities"),
    path("activities/<str:kind>/mappings/add/", activity_views.activity_mapping_add,
         name="activity_mapping_add"),
    path("activity-mapping/<int:pk>/", activity_views.activity_mapping, name="activity_mapping"),
    path("activities/<str:kind>/", views.activities, name="sf_activity"),
    path("mappings/<str:object>/", mapping_views.mappings, name="mappings"),
    path("mappings/<str:object>/add/", mapping_views.mapping_add, name="mapping_add"),
    path("mapping/<int:pk>/", mapping_views.mapping_edit, name="mapping_edit"),
    path("mapping/<int:pk>/toggle/", mapping_views.mapping_toggle, name="mapping_toggle"),
    path("sync/off/", header_views.sync_off, name="sync_off"),
    path("sync/on/", header_views.sync_on, name="sync_on"),
    path("connection/delete/", header_views.connection_delete, name="connection_delete"),
    path("setup/", wizard.start, name="setup"),
    path("setup/contacts/", wizard.contacts_step, name="setup_contacts"),
    path("setup/activities/", wizard.activities_step, name="setup_activities"),
    path("setup/objects/", wizard.objects_step, name="setup_objects"),
    path("setup/objects/<str:object>/", wizard.objects_step, name="setup_objects_tab"),
    path("setup/review/", wizard.review, name="setup_review"),
    path("setup/finish/", wizard.finish, name="setup_finish"),
    path("audit/", views.audit_log, name="audit"),
]
