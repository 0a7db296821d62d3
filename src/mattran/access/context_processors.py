from .policy import Perm, policy_for


def navigation(request):
    """What the navigation bar may offer this user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    policy = policy_for(user)
    return {"can_manage_grants": policy.has_any(Perm.ADMINISTER)}
