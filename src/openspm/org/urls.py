from django.urls import path

from openspm.org import views

app_name = "org"
urlpatterns = [
    path("people/", views.people, name="people"),
    path("hierarchy/", views.hierarchy, name="hierarchy"),
    path("teams/", views.teams, name="teams"),
    path("periods/", views.periods, name="periods"),
]
