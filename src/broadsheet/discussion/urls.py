from __future__ import annotations

from django.urls import path

from . import feeds, views

app_name = "discussion"

urlpatterns = [
    path("articles/<slug:slug>/comment/", views.post_comment, name="post"),
    path("articles/<slug:slug>/comments/feed/", feeds.ArticleCommentsFeed(), name="feed"),
    path("comment/<int:comment_id>/", views.permalink, name="permalink"),
    path("comment/<int:comment_id>/reply/", views.reply, name="reply"),
    path("comment/<int:comment_id>/edit/", views.edit, name="edit"),
    path("comment/confirm/<str:token>/", views.confirm, name="confirm"),
    path("comment/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("account/comments/", views.my_comments, name="mine"),
]
