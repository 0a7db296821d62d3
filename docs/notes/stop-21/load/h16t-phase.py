"""Per-phase CPU: total request, view, render(), SQL count. /tmp/h16t-phase.py TYPE N"""
import json, os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mattran.settings")
import django; django.setup()
from django.db import connection
import django.template.backends.django as bd
from django.test import Client
from django.contrib.auth import get_user_model
acc = {"render": 0.0, "sql_n": 0, "sql_cpu": 0.0}
orig = bd.Template.render
def timed(self, context=None, request=None):
    t = time.thread_time(); 
    try: return orig(self, context, request)
    finally: acc["render"] += time.thread_time() - t
bd.Template.render = timed
def wrapper(execute, sql, params, many, ctx):
    t = time.thread_time()
    try: return execute(sql, params, many, ctx)
    finally: acc["sql_n"] += 1; acc["sql_cpu"] += time.thread_time() - t
seed = json.load(open("/tmp/h16t-seed.json"))
ward = seed["wards"][0]
P = {"list": ("editor", f"/hoat-dong/don-vi/{ward['id']}/"),
 "form": ("editor", f"/hoat-dong/don-vi/{ward['id']}/them/"),
 "report": ("editor", f"/bao-cao/{ward['id']}/{seed['period']}/"),
 "lookup": ("public", "/cong-khai/?q=" + seed["donors"][0]),
 "portal": ("public", "/cong-khai/"),
 "fund": ("public", f"/cong-khai/quy/{seed['public_funds'][0]}/"),
 "rollup": ("approver", f"/bao-cao/{seed['city']['id']}/{seed['period']}/"),
 "health": ("public", "/suc-khoe/"),
 "units": ("editor", f"/don-vi/{ward['id']}/"),
}
n = int(sys.argv[2])
for typ in sys.argv[1].split(","):
    who, path = P[typ]
    c = Client(HTTP_HOST="127.0.0.1")
    if who == "editor": c.force_login(get_user_model().objects.get(username=ward["user"]))
    if who == "approver": c.force_login(get_user_model().objects.get(username=seed["approvers"][0]))
    for _ in range(5): r = c.get(path); assert r.status_code == 200, (path, r.status_code)
    acc.update(render=0.0, sql_n=0, sql_cpu=0.0)
    with connection.execute_wrapper(wrapper):
        t = time.thread_time()
        for _ in range(n): c.get(path)
        total = time.thread_time() - t
    print(f"{typ:7s} total {total/n*1000:6.2f} ms  render {acc['render']/n*1000:6.2f}  sql(client-side cpu) {acc['sql_cpu']/n*1000:5.2f} in {acc['sql_n']/n:.1f} stmts  bytes {len(r.content)}")
