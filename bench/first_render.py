"""First render: what the message catalog costs a phone before it shows the join page.

Issue 15: "The catalog adds nothing measurable to a page's time to first render on the
phone." A real Lantern server on loopback, and Debian's Chromium (through Playwright, as
tests/browser does) as a modest phone: 390 x 844, CPU slowed four times
(`Emulation.setCPUThrottlingRate`). Each run is a new browser context (nothing cached), and
opens the join page of a started review. Two times per run, from the browser's own clock:

- first paint: `first-contentful-paint`, the first words on the screen;
- scripts done: `domContentLoadedEventEnd`. The page's scripts are modules, which run before
  DOMContentLoaded, so by then `phone.js` and all it imports have run, `t()` included.

Three pages, taken in turn within each round so that the machine's load falls on all alike:
English (its catalog is empty: English is the source), Welsh (the catalog in use: the page
carries the scripts' 200-odd messages in Welsh, and `t()` looks each one up), and the
baseline in the same run: the same Welsh page with the catalog's JSON emptied on its way to
the browser (a `page.route` rewrites the response; every page goes through the same route,
so all three pay the same interception). Medians, with the spread (the middle half of the
runs, and the fastest and slowest).

Then the server's side, in-process: the join page rendered in each language (the `_()`
lookups of the template and the catalog handed to the scripts), median per render.

    python -m bench.first_render [--runs 15] [--renders 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import HOST, Server, lantern_room, percentile

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
THROTTLE = 4  # a modest phone: four times slower than this machine's CPU
CATALOG = re.compile(
    r'(<script type="application/json" id="lantern-messages">)(.*?)(</script>)', re.S
)
PAGES = {"English": "?lang=en", "Welsh": "?lang=cy", "Welsh, catalog emptied": "?lang=cy"}

TIMES = """() => new Promise((resolve) => {
  const done = () => {
    const paint = performance.getEntriesByName("first-contentful-paint")[0];
    const nav = performance.getEntriesByType("navigation")[0];
    if (paint && nav && nav.domContentLoadedEventEnd > 0) {
      resolve({paint: paint.startTime, scripts: nav.domContentLoadedEventEnd});
    } else setTimeout(done, 20);
  };
  done();
})"""


def _messages(html: str) -> int:
    found = CATALOG.search(html)
    return len(json.loads(found.group(2))) if found else 0


def browser_runs(url: str, runs: int) -> dict[str, dict[str, list[float]]]:
    """{page: {"paint": [ms...], "scripts": [ms...]}} over `runs` rounds."""
    from playwright.sync_api import Route, sync_playwright

    found: dict[str, dict[str, list[float]]] = {p: {"paint": [], "scripts": []} for p in PAGES}
    sizes: dict[str, int] = {}

    def through(empty: bool, page_name: str) -> Any:
        def handle(route: Route) -> None:
            response = route.fetch()
            html = response.text()
            if empty:
                html = CATALOG.sub(r"\1{}\3", html)
            sizes[page_name] = _messages(html)
            route.fulfill(response=response, body=html)

        return handle

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            for _round in range(runs + 1):  # the first round warms the server, not counted
                for name, query in PAGES.items():
                    context = chromium.new_context(viewport=PHONE)  # type: ignore[arg-type]
                    page = context.new_page()
                    cdp = context.new_cdp_session(page)
                    cdp.send("Emulation.setCPUThrottlingRate", {"rate": THROTTLE})
                    page.route(
                        lambda u, q=query: u == f"{url}{q}", through(name.endswith("emptied"), name)
                    )
                    page.goto(f"{url}{query}", wait_until="load")
                    times = page.evaluate(TIMES)
                    context.close()
                    if _round:
                        found[name]["paint"].append(float(times["paint"]))
                        found[name]["scripts"].append(float(times["scripts"]))
        finally:
            chromium.close()
    for name, n in sizes.items():
        found[name]["messages"] = [float(n)]
    return found


def server_renders(renders: int) -> dict[str, list[float]]:
    """Milliseconds per render of the join page, in-process, in each language."""
    from fastapi.testclient import TestClient

    from app.config import Settings
    from app.db import Database
    from app.main import create_app
    from app.migrate import upgrade
    from app.security import add_facilitator
    from bench.common import PASSWORD

    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="lantern-render-")),
                        secret_key="bench-secret-key-not-for-production")  # fmt: skip
    upgrade(settings.effective_database_url)
    database = Database(settings.effective_database_url)
    with database.write() as session:
        add_facilitator(session, "bench@example.org", PASSWORD)
    database.dispose()
    out: dict[str, list[float]] = {"English": [], "Welsh": []}
    with TestClient(create_app(settings)) as client:
        r = client.post(
            "/api/auth/login", json={"email": "bench@example.org", "password": PASSWORD}
        )
        auth = {"Authorization": f"Bearer {r.json()['token']}"}
        r = client.post(
            "/api/reviews", json={"title": "Bench", "case_ref": "Child A"}, headers=auth
        )
        code = r.json()["code"]
        for _round in range(renders + 20):  # twenty to warm the caches, not counted
            for name, query in (("English", "?lang=en"), ("Welsh", "?lang=cy")):
                began = time.perf_counter()
                page = client.get(f"/j/{code}{query}", headers={"Accept-Encoding": "identity"})
                took = (time.perf_counter() - began) * 1000
                assert page.status_code == 200
                if _round >= 20:
                    out[name].append(took)
    return out


def _spread(values: list[float]) -> str:
    return (
        f"{statistics.median(values):6.0f}  ({percentile(values, 25):.0f}–"
        f"{percentile(values, 75):.0f}; {min(values):.0f}–{max(values):.0f})"
    )


def report(found: dict[str, dict[str, list[float]]], renders: dict[str, list[float]]) -> str:
    runs = len(found["English"]["paint"])
    lines = [
        f"The join page on a phone (390 x 844, CPU slowed {THROTTLE}x), {runs} runs each, "
        "milliseconds: median (middle half; fastest–slowest)",
        "",
        "| page | messages | first paint | scripts done |",
        "| --- | ---: | --- | --- |",
    ]
    for name, times in found.items():
        n = int(times.get("messages", [0])[0])
        lines.append(f"| {name} | {n} | {_spread(times['paint'])} | {_spread(times['scripts'])} |")
    lines.append("")
    welsh, empty = found["Welsh"], found["Welsh, catalog emptied"]
    for what, label in (("paint", "first paint"), ("scripts", "scripts done")):
        diff = statistics.median(welsh[what]) - statistics.median(empty[what])
        iqr = max(percentile(v, 75) - percentile(v, 25) for v in (welsh[what], empty[what]))
        verdict = "within the spread: nothing measurable" if abs(diff) <= iqr else "MEASURABLE"
        lines.append(
            f"The catalog's cost to {label}: {diff:+.0f} ms (Welsh against the same page with "
            f"the catalog emptied), against a spread of {iqr:.0f} ms: {verdict}."
        )
    lines += [
        "",
        "The server renders the join page (in-process, median of "
        f"{len(renders['English'])}): "  # fmt: skip
        + ", ".join(f"{name} {statistics.median(v):.2f} ms" for name, v in renders.items()),
    ]
    return "\n".join(lines)


async def _room(server: Server) -> str:
    room = await lantern_room(server, 1)
    return room.code


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.first_render",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--runs", type=int, default=15, help="page loads of each page")
    parser.add_argument("--renders", type=int, default=200, help="server renders per language")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is not installed")
        return 1
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average before: {load}; cores: {os.cpu_count()}", flush=True)
    server = Server("lantern")
    server.start()
    try:
        code = asyncio.run(_room(server))
        found = browser_runs(f"http://{HOST}:{server.port}/j/{code}", args.runs)
    finally:
        server.cleanup()
    print(report(found, server_renders(args.renders)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
