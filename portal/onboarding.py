"""What the apps built on tenants do when a member joins the platform, called by tenants
without importing them (issue 27: no import cycle between apps). Each app registers in its
AppConfig.ready:

- ``host_added_register(func)``: ``func(host=...)`` for each host of a member, inside the
  transaction that creates it (identity registers the host as a client of the single
  sign-on);
- ``onboarding_step_register(step)``: a step of the onboarding wizard, its own fields and
  what it does with their values inside the onboarding's transaction (conventions starts
  the member's draft convention).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms


@dataclass(frozen=True)
class OnboardingStep:
    """``fields()``: the wizard's fields the step adds, by name (built per form);
    ``run(*, collectivite, services, values, acting_user)``: what it does with the cleaned
    values of those fields (``values``, by name), the member and its application codes."""

    fields: Callable[[], dict[str, forms.Field]]
    run: Callable[..., Any]


_host_added: list[Callable[..., Any]] = []
_steps: list[OnboardingStep] = []


def host_added_register(func: Callable[..., Any]) -> None:
    if func not in _host_added:
        _host_added.append(func)


def host_added(*, host: str) -> None:
    """Tell the apps that ``host`` now serves a member."""
    for func in _host_added:
        func(host=host)


def onboarding_step_register(step: OnboardingStep) -> None:
    if step not in _steps:
        _steps.append(step)


def onboarding_steps() -> tuple[OnboardingStep, ...]:
    return tuple(_steps)
