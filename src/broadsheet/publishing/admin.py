"""The editors' admin: articles with ordered bylines, topics, revisions, authors and topics.

Editors are staff in the Editors group (services.ensure_editors_group), which holds the
publishing permissions and nothing else, so they cannot change accounts or groups. Every
save of an article here keeps a revision; the revision pages (list, diff, restore) hang off
the article's change form through ArticleAdmin.get_urls. ArticleRevision has no admin of
its own: revisions only make sense beside their article, and nobody should edit them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import formats, timezone
from django.views.decorators.http import require_POST

from broadsheet.accounts.models import User

from . import services
from .models import Article, Author, Byline, Topic


def _acting_user(request: HttpRequest) -> User:
    # admin_view has already sent anyone but active staff to the login page.
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


class BylineForm(forms.ModelForm[Byline]):
    # Optional so that a row added with "Add another" lands at the end rather than tying
    # with the first byline at the model's default of 0.
    position = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=32767,
        widget=forms.NumberInput(attrs={"style": "width: 5em"}),
        help_text="Lower numbers come first; leave blank to add at the end.",
    )

    class Meta:
        model = Byline
        fields = ["author", "position"]


class BylineFormSet(forms.BaseInlineFormSet[Byline, Article, forms.ModelForm[Byline]]):
    def clean(self) -> None:
        super().clean()
        kept = [
            form
            for form in self.forms
            if hasattr(form, "cleaned_data")
            and not form.cleaned_data.get("DELETE")
            and (form.instance.pk is not None or form.has_changed())
        ]
        taken = [form.cleaned_data.get("position") for form in kept]
        next_position = max((p for p in taken if p is not None), default=-1) + 1
        for form in kept:
            if form.cleaned_data.get("position") is None:
                form.cleaned_data["position"] = form.instance.position = next_position
                next_position += 1


class BylineInline(admin.TabularInline[Byline, Article]):
    model = Byline
    form = BylineForm
    formset = BylineFormSet
    fields = ["author", "position"]
    extra = 1
    autocomplete_fields = ["author"]
    ordering = ["position", "id"]
    verbose_name = "byline author"
    verbose_name_plural = "byline authors, in order"


class ArticleAdminForm(forms.ModelForm[Article]):
    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "standfirst",
            "body_source",
            "submitted_by",
            "topics",
            "status",
            "published_at",
            "comments_mode",
        ]
        widgets = {
            "standfirst": forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
            "body_source": forms.Textarea(
                attrs={
                    "rows": 30,
                    "cols": 90,
                    "class": "vLargeTextField",
                    # Markdown is easier to edit when the markup lines up.
                    "style": "font-family: ui-monospace, Menlo, Consolas, monospace;"
                    " width: 100%; max-width: 60em;",
                }
            ),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # A scheduled time already in the past is allowed: the article simply shows as
        # published, which is what the editor meant had they saved it a little earlier.
        if (
            cleaned.get("status") != Article.Status.DRAFT
            and cleaned.get("published_at") is None
            and "published_at" not in self.errors
        ):
            self.add_error("published_at", "A scheduled or published article needs a publish time.")
        return cleaned


class AccountSelect(AutocompleteSelect):
    """The admin's autocomplete for an account, asking ArticleAdmin's own account search:
    the stock search needs view permission on accounts, which editors deliberately lack."""

    def get_url(self) -> str:
        return reverse(f"{self.admin_site.name}:publishing_article_accounts")


class ReadersSeeFilter(admin.SimpleListFilter):
    """Filter on what readers see now, which a status of "scheduled" alone does not say."""

    title = "readers see"
    parameter_name = "readers_see"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("published", "Published"), ("scheduled", "Scheduled"), ("draft", "Draft")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        if self.value() == "published":
            return queryset.filter(pk__in=Article.objects.live().values("pk"))
        if self.value() == "scheduled":
            return queryset.exclude(status=Article.Status.DRAFT).filter(
                published_at__gt=timezone.now()
            )
        if self.value() == "draft":
            return queryset.filter(status=Article.Status.DRAFT)
        return queryset


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin[Article]):
    form = ArticleAdminForm
    list_display = ["title", "status", "readers_see", "published_at", "byline", "submitted_by"]
    list_filter = [ReadersSeeFilter, "status", "topics", "authors"]
    list_select_related = ["submitted_by"]
    search_fields = ["title", "standfirst", "body_source"]
    search_help_text = "Searches titles, standfirsts and bodies."
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["topics"]
    # Imported HTML bodies stay HTML (sanitised on save); nobody switches a body's format.
    readonly_fields = ["readers_see", "body_format", "created_at", "updated_at"]
    inlines = [BylineInline]
    actions = ["publish_now", "unpublish"]
    # The change form has its own Preview link, straight to the article's page.
    view_on_site = False

    def get_fieldsets(self, request: HttpRequest, obj: Article | None = None) -> Any:
        fieldsets: list[tuple[str | None, dict[str, Any]]] = [
            (None, {"fields": ["title", "slug", "standfirst", "body_source", "body_format"]}),
            (
                "Publishing",
                {
                    "fields": ["submitted_by", "status", "published_at", "comments_mode"],
                    "description": "To schedule, choose “Scheduled” and a time in the future.",
                },
            ),
            ("Topics", {"fields": ["topics"]}),
        ]
        if obj is not None:
            fieldsets.append(("Record", {"fields": ["readers_see", "created_at", "updated_at"]}))
        return fieldsets

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                models.Prefetch(
                    "bylines",
                    queryset=Byline.objects.select_related("author").order_by("position", "id"),
                )
            )
        )

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, str | list[str]]:
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("submitted_by", str(request.user.pk))
        return initial

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        if db_field.name == "submitted_by":
            kwargs["widget"] = AccountSelect(db_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Readers see")
    def readers_see(self, article: Article) -> str:
        return article.public_status.capitalize()

    @admin.display(description="Byline")
    def byline(self, article: Article) -> str:
        return ", ".join(author.name for author in article.byline_authors())

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: Any) -> None:
        super().save_related(request, form, formsets, change)
        # Here rather than in save_model: only now are the bylines and topics saved, and a
        # revision without them would not restore the article as the editor left it.
        services.renumber_bylines(form.instance)
        services.record_revision(form.instance, _acting_user(request))

    @admin.action(description="Publish now", permissions=["change"])
    def publish_now(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._apply(request, queryset, services.publish_now, "Published now.", "Published")

    @admin.action(description="Unpublish (back to draft)", permissions=["change"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._apply(request, queryset, services.unpublish, "Unpublished.", "Unpublished")

    def _apply(
        self,
        request: HttpRequest,
        queryset: QuerySet[Article],
        change: Callable[[Article, Any], bool],
        log_message: str,
        verb: str,
    ) -> None:
        """Run a publishing change on each selected article, logging those it changed."""
        editor = _acting_user(request)
        count = 0
        with transaction.atomic():
            for article in queryset:
                if change(article, editor):
                    self.log_change(request, article, log_message)
                    count += 1
        self.message_user(request, f"{verb} {_plural(count, 'article')}.", messages.SUCCESS)

    # Revision pages and the account search, wrapped in admin_view like the stock pages.

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        own = [
            path("accounts/", wrap(self.accounts_view), name=f"{prefix}_accounts"),
            path(
                "<path:object_id>/revisions/",
                wrap(self.revisions_view),
                name=f"{prefix}_revisions",
            ),
            path(
                "<path:object_id>/revisions/<int:revision_id>/",
                wrap(self.revision_view),
                name=f"{prefix}_revision",
            ),
            path(
                "<path:object_id>/revisions/<int:revision_id>/restore/",
                wrap(require_POST(self.restore_revision_view)),
                name=f"{prefix}_revision_restore",
            ),
        ]
        # Ahead of the stock URLs, whose "<path:object_id>/" would swallow these.
        return own + super().get_urls()

    def accounts_view(self, request: HttpRequest) -> JsonResponse:
        """Active accounts matching ?term=, in the JSON the admin's autocomplete widget
        reads; for the submitter here and an author's account in AuthorAdmin."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        users = User.objects.filter(is_active=True).order_by("display_name", "username", "pk")
        if term := request.GET.get("term", "").strip():
            # Names only, not e-mail: results show public names, and searching addresses
            # would let editors find out who has an account with a given one.
            users = users.filter(
                Q(username__icontains=term)
                | Q(display_name__icontains=term)
                | Q(first_name__icontains=term)
                | Q(last_name__icontains=term)
            )
        page = Paginator(users, 20).get_page(request.GET.get("page"))
        return JsonResponse(
            {
                "results": [{"id": str(user.pk), "text": str(user)} for user in page],
                "pagination": {"more": page.has_next()},
            }
        )

    def _article_for_revisions(self, request: HttpRequest, object_id: str) -> Article:
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404("No article with that id.")
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        return article

    def _revision_context(
        self, request: HttpRequest, article: Article, title: str, **extra: Any
    ) -> dict[str, Any]:
        request.current_app = self.admin_site.name
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": title,
            "subtitle": None,
            **extra,
        }

    def revisions_view(self, request: HttpRequest, object_id: str) -> TemplateResponse:
        """An article's revisions, newest first: when, who, and what each one changed.
        Template: admin/publishing/article/revisions.html."""
        article = self._article_for_revisions(request, object_id)
        revisions = list(article.revisions.select_related("edited_by"))
        current = services.snapshot(article)
        rows = [
            {
                "revision": revision,
                "changed": services.changed_fields(older.data, revision.data) if older else [],
                "is_first": older is None,
                "is_current": revision.data == current,
            }
            for revision, older in zip(revisions, [*revisions[1:], None], strict=True)
        ]
        context = self._revision_context(request, article, f"Revisions of “{article}”", rows=rows)
        return TemplateResponse(request, "admin/publishing/article/revisions.html", context)

    def revision_view(
        self, request: HttpRequest, object_id: str, revision_id: int
    ) -> TemplateResponse:
        """One revision compared with the current article, with a button to restore it.
        Template: admin/publishing/article/revision.html."""
        article = self._article_for_revisions(request, object_id)
        revision = get_object_or_404(article.revisions.select_related("edited_by"), pk=revision_id)
        context = self._revision_context(
            request,
            article,
            f"Revision of “{article}”",
            revision=revision,
            diffs=services.compare_with_current(revision),
        )
        return TemplateResponse(request, "admin/publishing/article/revision.html", context)

    def restore_revision_view(
        self, request: HttpRequest, object_id: str, revision_id: int
    ) -> HttpResponseRedirect:
        """POST only: restore the revision, then back to the change form with a message."""
        article = self._article_for_revisions(request, object_id)
        revision = get_object_or_404(article.revisions.select_related("edited_by"), pk=revision_id)
        when = formats.date_format(timezone.localtime(revision.created_at), "DATETIME_FORMAT")
        try:
            services.restore_revision(revision, _acting_user(request))
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(
                reverse(
                    f"{self.admin_site.name}:publishing_article_revision",
                    args=[article.pk, revision.pk],
                )
            )
        self.log_change(request, article, f"Restored the revision of {when}.")
        who = revision.edited_by.public_name if revision.edited_by else "a deleted account"
        self.message_user(
            request,
            f"Restored the revision of {when} by {who}. "
            "The restore is kept as a new revision, so it can be undone.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(
            reverse(f"{self.admin_site.name}:publishing_article_change", args=[article.pk])
        )


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin[Author]):
    list_display = ["name", "slug", "user"]
    list_select_related = ["user"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        # Not a select of every account, which grows with every reader who signs up.
        if db_field.name == "user":
            kwargs["widget"] = AccountSelect(db_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin[Topic]):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
