from django.urls import path

from openspm.referrals import views_public

app_name = "referrals_public"
urlpatterns = [
    path("c/<str:code>", views_public.click, name="click"),
    path("unsubscribe/<str:token>/", views_public.unsubscribe, name="unsubscribe"),
    path("<slug:slug>/", views_public.landing, name="landing"),
]
