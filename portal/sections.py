"""What tenant apps show on pages that belong to no one app.

The commune's public home page and its back-office home are rendered by ``tenants`` (a
public-schema app that must not import tenant apps' models). Tenant apps contribute blocks
through a ``sections.py`` module that defines either or both of:

    def home_section(request) -> Section | None          # citizen-facing home page
    def home_aside_section(request) -> Section | None    # its side column (contact, hours)
    def backoffice_section(request) -> Section | None    # agents' back-office home
    def operator_section(request) -> Section | None      # operator's home (public schema)
    def account_link(request) -> AccountLink | None      # the header's account menu

Each is called only when the commune has the app's service enabled (``SERVICE`` in the
module, a code of Collectivite.services), and may return None to show nothing. A module may
also name the values of portal.tenant_cache its home hooks read (``HOME_CACHES``): the home
page reads them all in one round trip (``home_caches``).
"""

from dataclasses import dataclass, field
from functools import cache
from importlib import import_module

from django.apps import apps


@dataclass
class Section:
    title: str
    template: str  # rendered with the page's context plus ``section``
    context: dict = field(default_factory=dict)
    order: int = 100


@dataclass(frozen=True)
class AccountLink:
    """An entry of the header's account menu on a commune's host ("Mes demandes")."""

    label: str
    url: str
    order: int = 100


@cache
def _modules() -> tuple:
    """The apps' ``sections`` modules, looked for once per process (a failed import is not
    cached by Python: looking again on every page walked the file system)."""
    found = []
    for config in apps.get_app_configs():
        try:
            found.append(import_module(f"{config.name}.sections"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.sections":
                raise
    return tuple(found)


def collect_operator(request) -> list[Section]:
    """Blocks of public-schema apps on the operator's home (hook ``operator_section``)."""
    sections = []
    for module in _modules():
        func = getattr(module, "operator_section", None)
        section = func(request) if func is not None else None
        if section is not None:
            sections.append(section)
    return sorted(sections, key=lambda s: s.order)


def _enabled(tenant) -> list:
    modules = []
    for module in _modules():
        service = getattr(module, "SERVICE", None)
        if not service or tenant.has_service(service):
            modules.append(module)
    return modules


def home_caches(request) -> list[str]:
    """The cached values (portal.tenant_cache names) the commune's home sections read."""
    return [
        name for module in _enabled(request.tenant) for name in getattr(module, "HOME_CACHES", ())
    ]


def collect(request, hook: str) -> list[Section]:
    sections = []
    for module in _enabled(request.tenant):
        func = getattr(module, hook, None)
        if func is None:
            continue
        section = func(request)
        if section is not None:
            sections.append(section)
    return sorted(sections, key=lambda s: s.order)


def account_links(request) -> list[AccountLink]:
    """The header's account menu on a commune's host: each enabled app's citizen pages
    (issue 24 §1: "Mes demandes" was reachable from the home page only)."""
    links = []
    for module in _enabled(request.tenant):
        func = getattr(module, "account_link", None)
        link = func(request) if func is not None else None
        if link is not None:
            links.append(link)
    return sorted(links, key=lambda link: link.order)
