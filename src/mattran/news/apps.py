from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "mattran.news"
    label = "news"
    verbose_name = "Tin tức"
