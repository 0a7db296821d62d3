import os, time, json
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mattran.settings")
import django; django.setup()
from django.forms.renderers import DjangoTemplates
from mattran.core.form_renderer import FastFormRenderer
from mattran.activities.forms import ActivityFilterForm, ActivityForm
from mattran.units.models import Unit
seed = json.load(open("/tmp/h16t-seed.json"))
unit = Unit.objects.get(pk=seed["wards"][0]["id"])
units = Unit.objects.filter(parent=unit.parent)[:40]
for R in (DjangoTemplates(), FastFormRenderer()):
    for name, mk in (("filter", lambda: ActivityFilterForm(renderer=R)), ("activity", lambda: ActivityForm(renderer=R, unit=unit, supervisable=units, organisations=units))):
        f = mk(); [str(f[n]) for n in f.fields]
        t = time.thread_time(); 
        for _ in range(100):
            f = mk(); [str(f[n]) for n in f.fields]
        t1 = time.thread_time()
        print(type(R).__name__, name, f"{(t1-t)*10:.2f} ms per form (incl. choice queries)", len(f.fields))
