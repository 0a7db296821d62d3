from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "mattran.access"
    label = "access"
    verbose_name = "Phân quyền"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from mattran.core import permissions

        from .middleware import flag_temporary_password
        from .policy import policy_for, require_any_perm

        permissions.install(policy_for=policy_for, require_any_perm=require_any_perm)
        user_logged_in.connect(flag_temporary_password, dispatch_uid="mattran_temporary_password")
