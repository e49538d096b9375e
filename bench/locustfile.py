"""Locust scenario "evaluator day" for bench/f02_load.py, which prepares the data and the
sessions, starts gunicorn and runs `locust --headless -f bench/locustfile.py`.

Each simulated evaluator has their own session and their own assessment. They open their F-02
page when they start and every 5 minutes after, and every ~10 seconds change a level (3 times
in 4) or a note of one indicator, posting the form as htmx does. When the autosave answers with
`HX-Trigger: f02-saved`, the page's running panel fetches `?panel=1`, so the user does too; a
"level change" is that whole interaction (POST and, when asked for, the panel GET).

Environment (set by f02_load.py): BENCH_USERS, a JSON file of {"cookie", "page"} per user;
BENCH_STEPS, the user counts to step through ("100,250,500"); BENCH_SPAWN_RATE, users started
per second; BENCH_STEADY, seconds at each count once all its users run; BENCH_LOG, where every
request is written as JSON on exit ([start, name, ms, status] rows and the test's start).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from urllib.parse import urlencode

from locust import LoadTestShape, between, events, task
from locust.contrib.fasthttp import FastHttpUser

PAGE_EVERY = 300.0  # seconds between two openings of the page by one evaluator
AUTOSAVE_RE = re.compile(r'"(/[^"\s]*/f02/nilai/\d+/)"')
VERSION_RE = re.compile(r'<input[^>]*\bname="version"[^>]*>')
KEEP_VERSION_RE = re.compile(r'\bname="keep_version"[^>]*\bvalue="(\d+)"')
VALUE_RE = re.compile(r'\bvalue="(\d+)"')
CSRF_RE = re.compile(r'\bname="csrfmiddlewaretoken"[^>]*\bvalue="([^"]+)"')
NOTES = ("Sesuai dokumen.", "Bukti belum lengkap.", "Perlu klarifikasi ke unit.")

PEOPLE = json.loads(open(os.environ["BENCH_USERS"]).read()) if "BENCH_USERS" in os.environ else []
STEPS = [int(n) for n in os.environ.get("BENCH_STEPS", "10").split(",")]
SPAWN_RATE = float(os.environ.get("BENCH_SPAWN_RATE", "10"))
STEADY = float(os.environ.get("BENCH_STEADY", "60"))
_next_person = itertools.count()
_log: list[list] = []
_started = {"at": 0.0}


def _version(html: str) -> int | None:
    """The version in a save status fragment (attribute order left open)."""
    tag = VERSION_RE.search(html)
    found = VALUE_RE.search(tag.group(0)) if tag else None
    return int(found.group(1)) if found else None


@events.test_start.add_listener
def _on_start(**_kwargs) -> None:
    _started["at"] = time.time()


@events.request.add_listener
def _on_request(name, response_time, response, exception, start_time=None, **_kwargs) -> None:
    status = getattr(response, "status_code", 0) or 0
    if exception and status < 400:
        status = 0  # refused, reset, timed out
    _log.append([start_time or time.time(), name, response_time, status])


@events.quitting.add_listener
def _on_quit(**_kwargs) -> None:
    if path := os.environ.get("BENCH_LOG"):
        with open(path, "w") as out:
            json.dump({"started": _started["at"], "requests": _log}, out)


class StepShape(LoadTestShape):
    """Up to each count in BENCH_STEPS at BENCH_SPAWN_RATE users/s, then BENCH_STEADY
    seconds there; users stay from one step to the next."""

    def tick(self):
        elapsed, before = self.get_run_time(), 0
        for users in STEPS:
            elapsed -= (users - before) / SPAWN_RATE + STEADY
            if elapsed < 0:
                return users, SPAWN_RATE
            before = users
        return None


class Evaluator(FastHttpUser):
    wait_time = between(7, 13)

    def on_start(self) -> None:
        person = PEOPLE[next(_next_person)]
        self.page = person["page"]
        self.headers = {"Cookie": person["cookie"]}
        self.htmx = self.headers | {"HX-Request": "true"}
        self.versions: dict[str, int] = {}
        self.levels: dict[str, int] = {}
        self.open_page()
        time.sleep(random.uniform(0, 10))  # gevent's sleep: spreads the first edits

    def open_page(self) -> None:
        self.next_page = time.monotonic() + PAGE_EVERY
        with self.client.get(
            self.page, headers=self.headers, name="F-02 page", catch_response=True
        ) as response:
            html = response.text or ""
            urls = list(dict.fromkeys(AUTOSAVE_RE.findall(html)))  # action and hx-post
            token = CSRF_RE.search(html)
            if response.status_code != 200 or not urls or not token:
                response.failure(f"{response.status_code}: no autosave form on the page")
                return
            self.csrf = token.group(1)
            # The version for the next POST is in the save status (`id="save-<indicator>"`,
            # the autosave's hx-target), else the first one after the form's URL.
            bounds = [html.find(f'"{url}"') for url in urls] + [len(html)]
            for url, start, end in zip(urls, bounds, bounds[1:], strict=False):
                status = html.find(f'id="save-{url.rstrip("/").rsplit("/", 1)[1]}"')
                part = html[status : status + 2000] if status >= 0 else html[start:end]
                self.versions[url] = _version(part) or 0

    @task
    def edit(self) -> None:
        if time.monotonic() >= self.next_page:
            self.open_page()
        if not self.versions:
            return
        url = random.choice(list(self.versions))
        changes_level = random.random() < 0.75
        if changes_level:
            self.levels[url] = random.choice([v for v in range(6) if v != self.levels.get(url)])
        form = {"csrfmiddlewaretoken": self.csrf, "version": self.versions[url]}
        form |= {"note": random.choice(NOTES), "recommendation": ""}
        if url in self.levels:  # an unchecked radio is not posted
            form["level"] = self.levels[url]
        headers = self.htmx | {"Content-Type": "application/x-www-form-urlencoded"}
        started, status = time.perf_counter(), 0
        with self.client.post(
            url, data=urlencode(form), headers=headers, name="autosave (POST)", catch_response=True
        ) as response:
            status, html = response.status_code, response.text or ""
            if status == 200 and (version := _version(html)) is not None:
                self.versions[url] = version
            elif status == 409 and (found := KEEP_VERSION_RE.search(html)):
                self.versions[url] = int(found.group(1))  # the row's version, to go on
                response.failure("409 conflict")
            else:
                response.failure(f"{status}")
            trigger = response.headers.get("HX-Trigger") or ""
        if status == 200 and "f02-saved" in trigger:
            self.client.get(f"{self.page}?panel=1", headers=self.htmx, name="running panel (GET)")
        events.request.fire(
            request_type="FLOW",
            name="level change" if changes_level else "note change",
            response_time=(time.perf_counter() - started) * 1000,
            response_length=0,
            response=response,
            exception=None if status == 200 else Exception(status),
            context={},
        )
