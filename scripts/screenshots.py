"""Screenshots of every main page, desktop (1366 px) and phone (390 px), from the demo data.

    .venv/bin/python scripts/screenshots.py                 # writes docs/screenshots/
    .venv/bin/python scripts/screenshots.py --only home     # pages whose name contains "home"
    .venv/bin/python scripts/screenshots.py --width phone   # the 390 px images only

Builds the demo in its own data directory (SQLite, kept between runs: pass
--fresh to rebuild), starts `mattran runserver` on a free port with
MATTRAN_DEBUG=1, signs in as each demo role and saves full-page PNGs with
Playwright driving Debian's Chromium (/usr/bin/chromium, or MATTRAN_CHROMIUM).
It also prints, per page and width, how far the page overflows the screen
sideways (0 is right) so a regression shows without opening the images.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHROMIUM = os.environ.get("MATTRAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}
# tests/browser/test_phone.py's measure, without its leading comment lines.
MEASURE = "\n".join(
    line
    for line in (ROOT / "tests" / "browser" / "phone_measure.js").read_text("utf-8").splitlines()
    if not line.startswith("//")
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        MATTRAN_DATA_DIR=str(data_dir),
        MATTRAN_DATABASE_URL="",
        MATTRAN_DEBUG="1",
        MATTRAN_REQUIRE_2FA="0",
        MATTRAN_REDIS_URL="",
    )
    return env


def _build_demo(data_dir: Path, fresh: bool) -> None:
    """The demo database, brought up to the code's migrations on every run (a kept
    database from before a new migration would answer with errors)."""
    if fresh and data_dir.exists():
        shutil.rmtree(data_dir)
    marker = data_dir / "demo-loaded"
    data_dir.mkdir(parents=True, exist_ok=True)
    env = _env(data_dir)
    mattran = BIN / "mattran"  # this venv's own command, fixed arguments
    check = [mattran, "migrate", "--check", "-v0"]
    if marker.exists() and subprocess.run(check, env=env, check=False).returncode == 0:  # noqa: S603
        return
    subprocess.run([mattran, "migrate", "--noinput", "-v0"], check=True, env=env)  # noqa: S603
    subprocess.run([mattran, "load_demo"], check=True, env=env, stdout=subprocess.DEVNULL)  # noqa: S603
    marker.touch()


def _pages(data_dir: Path) -> list[tuple[str, str | None, str]]:
    os.environ.update(_env(data_dir))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mattran.settings")
    import django

    django.setup()
    from mattran.demo.pages import main_pages

    return main_pages()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--data-dir", default=str(ROOT / "var" / "screenshots"))
    parser.add_argument("--fresh", action="store_true", help="rebuild the demo data")
    parser.add_argument("--only", default="", help="only pages whose name contains this")
    parser.add_argument("--width", choices=sorted(WIDTHS), help="only this width")
    args = parser.parse_args()
    out, data_dir = Path(args.out), Path(args.data_dir)
    out.mkdir(parents=True, exist_ok=True)
    _build_demo(data_dir, args.fresh)
    pages = [p for p in _pages(data_dir) if args.only in p[0]]
    widths = {args.width: WIDTHS[args.width]} if args.width else WIDTHS
    if not args.only and not args.width:  # a page no longer listed leaves no stale image
        names = {f"{name}-{width}.png" for name, _, _ in pages for width in WIDTHS}
        for old in out.glob("*.png"):
            if old.name not in names:
                old.unlink()

    from playwright.sync_api import sync_playwright

    from mattran.demo.loader import DEMO_PASSWORD

    failed: list[str] = []
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603 - this venv's own command
        [BIN / "mattran", "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=_env(data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/dang-nhap/", timeout=2)  # noqa: S310 - localhost
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            for width_name, (width, height) in widths.items():
                phone = width_name == "phone"
                contexts: dict[str | None, object] = {}
                for name, user, path in pages:
                    if user not in contexts:
                        context = browser.new_context(
                            locale="vi-VN",
                            viewport={"width": width, "height": height},
                            is_mobile=phone,
                            has_touch=phone,
                        )
                        if user:
                            page = context.new_page()
                            page.goto(f"{base}/dang-nhap/")
                            page.get_by_label("Tên đăng nhập").fill(user)
                            page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
                            page.get_by_role("button", name="Đăng nhập").click()
                            page.wait_for_load_state()
                            page.close()
                        contexts[user] = context
                    page = contexts[user].new_page()
                    response = page.goto(base + path, wait_until="networkidle", timeout=60_000)
                    expected = 404 if name == "not-found" else 200
                    if response is None or response.status != expected:
                        status = response.status if response else "no answer"
                        failed.append(f"{name} ({path}) as {user or 'visitor'}: {status}")
                    overflow = page.evaluate(
                        "document.documentElement.scrollWidth - window.innerWidth"
                    )
                    file = out / f"{name}-{width_name}.png"
                    page.screenshot(path=str(file), full_page=True)
                    print(f"{file.relative_to(ROOT)}  overflow={overflow}px")
                    if phone:  # the phone test's own measure (tables, controls)
                        for problem in page.evaluate(MEASURE)["problems"]:
                            print(f"    {problem}")
                    page.close()
                for context in contexts.values():
                    context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    if failed:
        print("Trang trả lời sai mã (không phải 200):", *failed, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
