import sys, time
from itertools import islice, pairwise
sys.path.insert(0,"benchmarks")
import _setup
from mattran.funds import importing
from mattran.funds.importing import _words, _mask
import re
from mattran.funds.statement_formats import iter_lines, get_layout, donor_name
from pathlib import Path
layout=get_layout("vcb")
lines=list(islice(iter_lines(Path("/tmp/h9q/files/vcb-100000.csv"), layout), 30000))
names=[donor_name(l, layout) or "" for l in lines]
masked=[_mask(l.memo) for l in lines]
_TERM = re.compile(r"[a-z0-9]{3,}")
def old(name, masked_memo):
    words = _words(_mask(name)) + _words(masked_memo)
    key = f" {' '.join(words)} "
    found = _TERM.findall(key)
    if found and max(map(len, found)) > 100:
        found = [w[:100] for w in found]
    pairs = [f"~{a} {b}"[:100] for a, b in pairwise(words) if a.isalpha() and b.isalpha()]
    return key, [*dict.fromkeys(found), *dict.fromkeys(pairs)]
def t(label, f, rep=7):
    best=1e9
    for _ in range(rep):
        s=time.process_time(); out=f(); best=min(best,time.process_time()-s)
    print(f"{label}: {best/len(lines)*1e6:.2f} us/line"); return out
a=t("old", lambda: [old(n,m) for n,m in zip(names,masked)])
b=t("new", lambda: [importing._key_and_term_list(n,m) for n,m in zip(names,masked)])
a=t("old", lambda: [old(n,m) for n,m in zip(names,masked)])
print("equal", a==b)
