from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "mattran.access"
    label = "access"
    verbose_name = "Phân quyền"

    def ready(self):
        from mattran.core import permissions

        from .policy import policy_for, require_any_perm

        permissions.install(policy_for=policy_for, require_any_perm=require_any_perm)
