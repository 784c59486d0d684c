from django.contrib import admin

from syncadmin.integration import models as m


@admin.register(m.ContactSettings)
class ContactSettingsAdmin(admin.ModelAdmin):
    list_display = ["account", "sf_to_hs_create", "hs_to_sf_object", "sf_deletion", "lifecycle"]


@admin.register(m.ObjectSync)
class ObjectSyncAdmin(admin.ModelAdmin):
    list_display = ["account", "object", "sf_object", "enabled", "direction"]
    list_filter = ["object", "enabled"]


@admin.register(m.FieldMapping)
class FieldMappingAdmin(admin.ModelAdmin):
    list_display = ["account", "object", "hs_property", "sf_field", "sync_rule", "enabled"]
    list_filter = ["object", "sync_rule"]


@admin.register(m.TimelineEventSetting)
class TimelineEventSettingAdmin(admin.ModelAdmin):
    list_display = ["account", "event", "enabled", "sf_task_type"]


@admin.register(m.SfActivitySetting)
class SfActivitySettingAdmin(admin.ModelAdmin):
    list_display = ["account", "kind", "enabled", "deletion", "conflict_app"]


@admin.register(m.ApiSettings)
class ApiSettingsAdmin(admin.ModelAdmin):
    list_display = ["account", "allocation"]
