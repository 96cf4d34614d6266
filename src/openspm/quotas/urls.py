from django.urls import path

from openspm.quotas import views

app_name = "quotas"
urlpatterns = [
    path("", views.quotas, name="quotas"),
    path("<int:pk>/", views.quota_detail, name="quota"),
]
