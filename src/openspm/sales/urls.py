from django.urls import path

from openspm.sales import views

app_name = "sales"
urlpatterns = [
    path("transactions/", views.transactions, name="transactions"),
    path("transactions/<int:pk>/", views.transaction_detail, name="transaction"),
    path("accounts/", views.accounts, name="accounts"),
    path("products/", views.products, name="products"),
    path("fx-rates/", views.fx_rates, name="fx_rates"),
]
