from django.urls import path

from . import views

app_name = "measures"

urlpatterns = [
    path("hankkeet/<int:project_pk>/mittarit/", views.indicator_list, name="indicator-list"),
    path("mittarit/<int:pk>/", views.indicator_detail, name="indicator-detail"),
    path(
        "mittarit/<int:pk>/sotkanet-tiedosto/",
        views.indicator_sotkanet_upload,
        name="indicator-sotkanet-upload",
    ),
]
