import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mattran.settings")
import django; django.setup()
from django.test import Client
from django.contrib.auth import get_user_model
from pyinstrument import Profiler
seed = json.load(open("/tmp/h16t-seed.json")); ward = seed["wards"][0]
P = {"list": ("editor", f"/hoat-dong/don-vi/{ward['id']}/"),
 "form": ("editor", f"/hoat-dong/don-vi/{ward['id']}/them/"),
 "report": ("editor", f"/bao-cao/{ward['id']}/{seed['period']}/"),
 "lookup": ("public", "/cong-khai/?q=" + seed["donors"][0]),
 "fund": ("public", f"/cong-khai/quy/{seed['public_funds'][0]}/")}
typ, n = sys.argv[1], int(sys.argv[2])
who, path = P[typ]
c = Client(HTTP_HOST="127.0.0.1")
if who == "editor": c.force_login(get_user_model().objects.get(username=ward["user"]))
for _ in range(5): c.get(path)
p = Profiler(interval=0.0005, async_mode="disabled")
p.start()
for _ in range(n): c.get(path)
p.stop()
print(p.output_text(unicode=False, color=False, show_all=False, timeline=False))
