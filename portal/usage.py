"""Yearly usage figures that tenant apps report for a member (seed 000 art. 8: the partner
sends a yearly report of its use of the tools), without the public-schema app that builds
the report importing them.

A tenant app adds a ``usage.py`` module defining
``yearly_usage(year: int) -> UsageBlock | None``, called inside the member's schema.
"""

from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps


@dataclass
class UsageBlock:
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)  # (label, value)
    order: int = 100


def _modules():
    for config in apps.get_app_configs():
        try:
            yield import_module(f"{config.name}.usage")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.usage":
                raise


def usage_collect(year: int) -> list[UsageBlock]:
    """Every app's block for ``year``, in the schema active now (a member's)."""
    blocks = []
    for module in _modules():
        func = getattr(module, "yearly_usage", None)
        block = func(year) if func is not None else None
        if block is not None:
            blocks.append(block)
    return sorted(blocks, key=lambda b: b.order)
