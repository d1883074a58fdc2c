"""Order staff through the web as a client manager would, and time what the user waits for.

Used for fault drills (docs/operations.md): while it runs, kill the worker, pause Redis
(`kill -STOP`) or stop PostgreSQL, and see that no order is lost, no page hangs longer than a
couple of seconds, and every order gets its shortlist once the fault is over.

    .venv/bin/python scripts/fault_drill.py --base http://127.0.0.1:8000 --orders 10 --every 2

Only the standard library: it talks HTTP like a browser (cookies, CSRF token, the form's own
hidden fields) to a server on this machine.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import html.parser
import http.cookiejar
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

LOGIN = ("esimies@demo.fi", "demo-staff-now")


class _Form(html.parser.HTMLParser):
    """The named fields of the page's first POST form, with the values a browser would send."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self._select: str | None = None
        self._first_option: str | None = None
        self._chosen = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.setdefault(name, []).append(a.get("value", ""))
        elif tag == "textarea" and name:
            self.fields.setdefault(name, []).append("")
        elif tag == "select" and name:
            self._select, self._first_option, self._chosen = name, None, False
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._first_option is None and value:
                self._first_option = value
            if "selected" in a:
                self.fields[self._select] = [value]
                self._chosen = True

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            if not self._chosen and self._first_option is not None:
                self.fields[self._select] = [self._first_option]
            self._select = None


class Browser:
    def __init__(self, base: str, timeout: float) -> None:
        self.base = base.rstrip("/")
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, str, float]:
        """(status, final URL, body, seconds)."""
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body)
        req.add_header("Referer", self.base + path)
        started = time.monotonic()
        try:
            with self.opener.open(req, timeout=self.timeout) as resp:
                return resp.status, resp.url, resp.read().decode(), time.monotonic() - started
        except urllib.error.HTTPError as error:
            return error.code, path, error.read().decode(), time.monotonic() - started
        except (urllib.error.URLError, TimeoutError) as error:
            return 0, path, str(error), time.monotonic() - started

    def form(self, path: str) -> dict[str, list[str]]:
        status, _, page, _ = self.request(path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        parser = _Form()
        parser.feed(page)
        return parser.fields

    def login(self, email: str, password: str) -> None:
        fields = self.form("/accounts/login/")
        fields.update(login=[email], password=[password])
        status, url, _, _ = self.request("/accounts/login/", fields)
        if status != 200 or "/accounts/login/" in url:
            raise RuntimeError(f"login as {email} failed ({status})")


def order(browser: Browser) -> dict:
    """One order: the form as the server fills it in, sent as it is. A page that answers with
    an error (say 503 while the database is down) counts as a failed answer, as for a user."""
    started = time.monotonic()
    try:
        fields = browser.form("/client/requests/new/")
    except RuntimeError as error:
        print(f"{time.strftime('%H:%M:%S')} {error}", flush=True)
        return {"status": 0, "seconds": time.monotonic() - started, "id": None}
    status, url, _, seconds = browser.request("/client/requests/new/", fields)
    match = re.search(r"/client/requests/(\d+)/$", url)
    return {"status": status, "seconds": seconds, "id": int(match.group(1)) if match else None}


def shortlisted(browser: Browser, request_id: int) -> bool:
    status, _, page, _ = browser.request(f"/client/requests/{request_id}/status/")
    return status == 200 and 'data-status="received"' not in page


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--orders", type=int, default=10)
    parser.add_argument("--every", type=float, default=2.0, help="seconds between orders")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=30.0, help="HTTP timeout")
    parser.add_argument("--wait", type=float, default=180.0, help="seconds to wait for shortlists")
    args = parser.parse_args(argv)

    browsers = []
    for _ in range(args.concurrency):
        browser = Browser(args.base, args.timeout)
        browser.login(*LOGIN)
        browsers.append(browser)
    results = []
    with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
        for i in range(0, args.orders, args.concurrency):
            batch = list(pool.map(order, browsers[: min(args.concurrency, args.orders - i)]))
            for r in batch:
                print(
                    f"{time.strftime('%H:%M:%S')} order -> {r['status']} in {r['seconds']:.2f} s"
                    f" (request {r['id']})",
                    flush=True,
                )
            results += batch
            time.sleep(args.every)
    ids = [r["id"] for r in results if r["id"]]
    deadline = time.monotonic() + args.wait
    waiting = set(ids)
    while waiting and time.monotonic() < deadline:
        waiting = {i for i in waiting if not shortlisted(browsers[0], i)}
        time.sleep(1)
    slowest = max((r["seconds"] for r in results), default=0)
    failed = [r for r in results if r["status"] != 200 or not r["id"]]
    print(
        f"orders: {len(results)}, stored: {len(ids)}, failed answers: {len(failed)}, "
        f"slowest answer: {slowest:.2f} s, without shortlist after waiting: {sorted(waiting)}"
    )
    return 1 if waiting else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
