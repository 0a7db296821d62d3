from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "mattran.news"
    label = "news"
    verbose_name = "Tin tức"

    def ready(self):
        from mattran.emulation.extensions import register_conference_context

        register_conference_context(_conference_articles)


def _conference_articles(*, user, conference) -> dict:
    """The articles drafted from a conference, on its page (emulation/extensions.py)."""
    from .selectors import articles_from_conference

    return {"articles": articles_from_conference(user=user, conference=conference)}
