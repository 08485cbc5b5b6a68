"""Publishing stands on its own: the layers below it (lib, pagecache, db, webhooks,
accounts, consent) and Django, nothing above. Discussion, moderation, importers, the API and
the site build on publishing; the article page readers see (the article with its comments
under it) is put together by the site, in src/broadsheet/templates/publishing/article.html.

Read from the source, as a reviewer would: imports, template libraries loaded, and names of
templates, URLs and models written as strings (an `{% include %}`, a `reverse()`, a lazy
model reference) are all ways to reach another app.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Engine, RequestContext
from django.template.backends.django import get_installed_libraries
from django.test import Client, RequestFactory

import broadsheet.publishing
from broadsheet.publishing.views import article_context
from tests.helpers import make_article

PUBLISHING = Path(broadsheet.publishing.__file__).parent
# The packages of broadsheet publishing may use: its own and the layers below it.
BELOW_OR_OWN = {"lib", "pagecache", "db", "webhooks", "accounts", "consent", "publishing"}
# App labels, template folders and URL namespaces of the apps above publishing.
ABOVE = ("discussion", "moderation", "importers", "api", "demo")
NAMED_ABOVE = re.compile(rf"^(?:broadsheet\.)?(?:{'|'.join(ABOVE)})(?:[./:]|$)")
QUOTED_NAME_ABOVE = re.compile(rf"""["'](?:broadsheet\.)?(?:{"|".join(ABOVE)})[./:]""")
LOAD = re.compile(r"{%\s*load\s+([^%]+?)\s*%}")
# Libraries publishing's templates may load from above it, each with why: none.
KNOWN_FROM_ABOVE: dict[str, str] = {}


def python_modules() -> list[Path]:
    return sorted(path for path in PUBLISHING.rglob("*.py") if "migrations" not in path.parts)


def templates() -> list[Path]:
    return sorted(path for path in (PUBLISHING / "templates").rglob("*") if path.is_file())


def imported_modules(path: Path) -> list[str]:
    package = ".".join(path.relative_to(PUBLISHING.parent.parent).with_suffix("").parts[:-1])
    modules = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            modules.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                modules.append(f"{base}.{node.module}" if node.module else base)
            elif node.module == "broadsheet":
                # `from broadsheet import pagecache`: the package holds only packages.
                modules.extend(f"broadsheet.{alias.name}" for alias in node.names)
            else:
                modules.append(node.module or "")
    return modules


def is_below_or_own(module: str) -> bool:
    parts = module.split(".")
    return parts[0] != "broadsheet" or (len(parts) > 1 and parts[1] in BELOW_OR_OWN)


def string_constants(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def loaded_libraries(arguments: str) -> list[str]:
    """The libraries a `{% load %}` names: `load a b` loads both, `load x y from a` only a."""
    words = arguments.split()
    return words[-1:] if "from" in words else words


def test_publishing_imports_nothing_from_the_layers_above_it() -> None:
    upward = {
        f"{path.relative_to(PUBLISHING)}: {module}"
        for path in python_modules()
        for module in imported_modules(path)
        if not is_below_or_own(module)
    }

    assert upward == set()


def test_publishing_names_no_template_url_or_model_of_the_apps_above_it() -> None:
    named = {
        f"{path.relative_to(PUBLISHING)}: {value!r}"
        for path in python_modules()
        for value in string_constants(path)
        if NAMED_ABOVE.match(value)
    }
    named |= {
        f"{path.relative_to(PUBLISHING)}: {match[0]}"
        for path in templates()
        for match in QUOTED_NAME_ABOVE.finditer(path.read_text())
    }

    assert named == set()


def test_publishing_templates_load_no_tag_library_from_above_it() -> None:
    libraries = get_installed_libraries()
    loaded = {
        name: libraries[name]
        for path in templates()
        for match in LOAD.finditer(path.read_text())
        for name in loaded_libraries(match[1])
    }

    from_above = {name: module for name, module in loaded.items() if not is_below_or_own(module)}

    assert "discussion" not in loaded
    assert from_above == KNOWN_FROM_ABOVE


BASE = "{% block head %}{% endblock %}<main>{% block content %}{% endblock %}</main>"


@pytest.mark.django_db
def test_publishing_renders_its_article_template_without_the_apps_above_it() -> None:
    # Only publishing's own templates, and no tag library of an app above publishing: a
    # `{% load discussion %}` or an include of one of their templates would fail here.
    libraries = {
        name: module
        for name, module in get_installed_libraries().items()
        if not module.startswith(tuple(f"broadsheet.{app}." for app in ABOVE))
    }
    engine = Engine(
        dirs=[str(PUBLISHING / "templates")],
        loaders=[
            ("django.template.loaders.locmem.Loader", {"base.html": BASE}),
            "django.template.loaders.filesystem.Loader",
        ],
        libraries=libraries,
        context_processors=["django.template.context_processors.request"],
    )
    article = make_article("Tenants win repairs", body="The council agreed on Monday.")
    request: Any = RequestFactory().get(article.get_absolute_url())
    request.user = AnonymousUser()

    html = engine.get_template("publishing/article.html").render(
        RequestContext(request, article_context(request, article))
    )

    assert '<h1 id="article-title">Tenants win repairs</h1>' in html
    assert "The council agreed on Monday." in html
    assert 'id="comments"' not in html


@pytest.mark.django_db
def test_the_site_puts_the_comments_under_the_article(client: Client) -> None:
    article = make_article("Tenants win repairs")

    html = client.get(article.get_absolute_url()).content.decode()

    assert html.index("</article>") < html.index('<section id="comments"')
