"""Profile one request type via the test client: /tmp/h16t-prof.py TYPE N [sort]"""
import cProfile, json, pstats, sys, time, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mattran.settings")
import django
django.setup()
if os.environ.get("RENDERER"):
    from django.conf import settings; settings.FORM_RENDERER = os.environ["RENDERER"]
from django.test import Client
from django.contrib.auth import get_user_model
seed = json.load(open("/tmp/h16t-seed.json"))
typ, n = sys.argv[1], int(sys.argv[2])
sort = sys.argv[3] if len(sys.argv) > 3 else "tottime"
ward = seed["wards"][0]
PATHS = {
 "list": ("editor", f"/hoat-dong/don-vi/{ward['id']}/"),
 "form": ("editor", f"/hoat-dong/don-vi/{ward['id']}/them/"),
 "report": ("editor", f"/bao-cao/{ward['id']}/{seed['period']}/"),
 "lookup": ("public", "/cong-khai/?q=" + seed["donors"][0]),
 "portal": ("public", "/cong-khai/"),
 "fund": ("public", f"/cong-khai/quy/{seed['public_funds'][0]}/"),
 "rollup": ("approver", f"/bao-cao/{seed['city']['id']}/{seed['period']}/"),
}
who, path = PATHS[typ]
c = Client(HTTP_HOST="127.0.0.1")
if who == "editor":
    c.force_login(get_user_model().objects.get(username=ward["user"]))
elif who == "approver":
    c.force_login(get_user_model().objects.get(username=seed["approvers"][0]))
for _ in range(5):
    r = c.get(path); assert r.status_code == 200, (r.status_code, path)
t0 = time.thread_time()
for _ in range(n):
    c.get(path)
print(f"{typ}: {(time.thread_time()-t0)/n*1000:.2f} ms CPU/request (test client, no profiler)")
pr = cProfile.Profile(time.thread_time)
pr.enable()
for _ in range(n):
    c.get(path)
pr.disable()
st = pstats.Stats(pr); st.sort_stats(sort).print_stats(int(os.environ.get("TOP", "40")))
if os.environ.get("FILTER"):
    st.sort_stats("cumulative").print_stats(os.environ["FILTER"], 30)
