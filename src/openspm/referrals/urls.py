from django.urls import path

from openspm.referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.referrals, name="referrals"),
    path("<int:pk>/", views.referral_detail, name="referral"),
    path("<int:pk>/advance", views.advance, name="advance"),
    path("submit", views.submit, name="submit"),
    path("review/", views.review_queue, name="review"),
    path("review/<int:pk>", views.review_decide, name="review_decide"),
    path("rewards/", views.reward_list, name="rewards"),
    path("rewards/<int:pk>/approve", views.reward_approve, name="reward_approve"),
    path("rewards/<int:pk>/pay", views.reward_pay, name="reward_pay"),
    path("outbox/", views.outbox, name="outbox"),
    path("analytics/", views.analytics, name="analytics"),
    path("analytics.csv", views.analytics_csv, name="analytics_csv"),
]
