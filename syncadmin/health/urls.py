from django.urls import path

from syncadmin.health import association_views, job_views, views

app_name = "health"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cards/", views.cards, name="cards"),
    path("errors/<str:kind>/", views.errors, name="errors"),
    path("errors/<str:kind>/retry/", views.retry, name="retry"),
    path("resync/", views.resync, name="resync"),
    path("objects/", views.objects, name="objects"),
    path("objects/<str:object>/failed/", views.object_failed, name="object_failed"),
    path("records/", views.records, name="records"),
    path("records/<int:link_id>/associations/", association_views.associations,
         name="associations"),
    path("records/columns/", views.columns, name="columns"),
    path("records/export/", job_views.export, name="export"),
    path("records/restore/", job_views.restore, name="restore"),
    path("exports/<int:pk>/", job_views.download, name="download"),
    path("runs/", job_views.runs, name="runs"),
    path("runs/<int:pk>/", job_views.run_row, name="run"),
]
