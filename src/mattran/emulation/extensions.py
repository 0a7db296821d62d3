"""What the apps above emulation add to its pages. Imports point down, so emulation
cannot ask news for a conference's articles; news registers a provider here when
Django starts (news/apps.py) and the conference page merges what providers return."""

from __future__ import annotations

from collections.abc import Callable

ConferenceContext = Callable[..., dict]
CONFERENCE_CONTEXT: list[ConferenceContext] = []


def register_conference_context(provider: ConferenceContext) -> ConferenceContext:
    if provider not in CONFERENCE_CONTEXT:
        CONFERENCE_CONTEXT.append(provider)
    return provider


def conference_context(*, user, conference) -> dict:
    context: dict = {}
    for provider in CONFERENCE_CONTEXT:
        context.update(provider(user=user, conference=conference))
    return context
