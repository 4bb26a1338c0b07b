# The public campaign page /c/<slug>/ is in campaigns/urls.py (mounted at the root)
# so that it can be reversed as "campaigns:public".
urlpatterns = []
