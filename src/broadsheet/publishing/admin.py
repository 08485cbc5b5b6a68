"""The editors' admin: articles with bylines, topics and authors."""

from __future__ import annotations

from django.contrib import admin

from .models import Article, Author, Byline, Topic


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 1
    autocomplete_fields = ["author"]
    ordering = ["position"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "published_at", "submitted_by"]
    list_filter = ["status", "topics", "authors"]
    search_fields = ["title", "standfirst", "body_source"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [BylineInline]
    filter_horizontal = ["topics"]


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "user"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
