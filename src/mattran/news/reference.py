"""Default news categories, installed by a data migration (idempotent; editable in the admin)."""

from __future__ import annotations

CATEGORIES = [
    ("Hoạt động Mặt trận", "hoat-dong-mat-tran", 10),
    ("Thi đua – Khen thưởng", "thi-dua-khen-thuong", 20),
    ("Cuộc vận động, phong trào", "cuoc-van-dong-phong-trao", 30),
    ("An sinh xã hội, Quỹ Vì người nghèo", "an-sinh-xa-hoi", 40),
]


def install(apps=None) -> None:
    if apps is None:
        from django.apps import apps
    Category = apps.get_model("news", "Category")
    for name, slug, order in CATEGORIES:
        Category.objects.get_or_create(slug=slug, defaults={"name": name, "order": order})
