import os, time, json
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mattran.settings")
import django; django.setup()
from django.test import RequestFactory
from django.template.loader import render_to_string
from django.contrib.auth import get_user_model
from mattran.access.policy import AccessPolicy
from mattran.units.selectors import unit_get_visible
from mattran.units.models import Unit
seed = json.load(open("/tmp/h16t-seed.json"))
user = get_user_model().objects.get(username=seed["wards"][0]["user"])
rf = RequestFactory()
def bench(name, fn, n=300):
    fn(); t = time.thread_time()
    for _ in range(n): fn()
    print(f"{name:40s} {(time.thread_time()-t)/n*1000:.3f} ms")
def base():
    r = rf.get("/"); r.user = user
    from django.middleware.csrf import get_token
    render_to_string("base.html", {}, request=r)
bench("base.html signed in", base)
def base_anon():
    from django.contrib.auth.models import AnonymousUser
    r = rf.get("/"); r.user = AnonymousUser()
    render_to_string("base.html", {}, request=r)
bench("base.html anonymous", base_anon)
bench("AccessPolicy(user) grants query", lambda: AccessPolicy(user))
def ugv():
    if hasattr(user, "_mattran_policy"): del user._mattran_policy
    unit_get_visible(user=user, pk=seed["wards"][0]["id"])
bench("unit_get_visible (incl. grants)", ugv)
bench("Unit.objects.get(pk)", lambda: Unit.objects.get(pk=seed["wards"][0]["id"]))
from django.urls import reverse
bench("reverse x10", lambda: [reverse("activities:list", args=[5]) for _ in range(10)])
from django.contrib.sessions.backends.cache import SessionStore
