"""The documents' chart is drawn without pyplot's global figure registry, so web
threads (gthread workers, issue 16) drawing at the same moment each get their own,
correct picture."""

import sys
import threading

from mattran.reports.exports import chart


def _draw(i: int) -> bytes:
    # a distinct picture per call (the lru_cache must not hand back another's)
    labels = tuple(f"Phường {n}" for n in range(6))
    series = (("Hội nghị", tuple(range(i, i + 6))), ("Tuyên truyền", tuple(range(6))))
    return chart._draw.__wrapped__(labels, series, f"Báo cáo {i}", 3.0, 40)


def test_charts_drawn_in_parallel_threads_are_the_ones_drawn_alone():
    alone = {i: _draw(i) for i in range(4)}
    assert alone[0][:8] == b"\x89PNG\r\n\x1a\n" and len(set(alone.values())) == 4
    barrier = threading.Barrier(4)
    found: dict[int, list[bytes]] = {i: [] for i in range(4)}
    errors = []

    def work(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            for _ in range(3):
                found[i].append(_draw(i))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    for i in range(4):
        assert found[i] == [alone[i]] * 3
    assert "matplotlib.pyplot" not in sys.modules or not hasattr(chart, "plt")
