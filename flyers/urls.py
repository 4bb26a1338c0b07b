app_name = "flyers"
urlpatterns = []
