from __future__ import annotations

from django.urls import path

from . import feeds, views

app_name = "publishing"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<slug:slug>/", views.article_detail, name="article"),
    path("authors/<slug:slug>/", views.author_detail, name="author"),
    path("authors/<slug:slug>/feed/", feeds.AuthorRssFeed(), name="author-rss"),
    path("authors/<slug:slug>/feed/atom/", feeds.AuthorAtomFeed(), name="author-atom"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("topics/<slug:slug>/feed/", feeds.TopicRssFeed(), name="topic-rss"),
    path("topics/<slug:slug>/feed/atom/", feeds.TopicAtomFeed(), name="topic-atom"),
    path("archive/", views.archive_index, name="archive"),
    path("archive/<int:year>/", views.archive_month, name="archive-year"),
    path("archive/<int:year>/<int:month>/", views.archive_month, name="archive-month"),
    path("search/", views.search_view, name="search"),
    path("feed/", feeds.LatestRssFeed(), name="rss"),
    path("feed/atom/", feeds.LatestAtomFeed(), name="atom"),
]
