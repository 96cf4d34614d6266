from django.urls import path

from openspm.territories import views

app_name = "territories"
urlpatterns = [
    path("", views.territories, name="territories"),
    path("<int:pk>/", views.territory_detail, name="territory"),
]
