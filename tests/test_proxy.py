"""deploy/nginx.conf, the reverse proxy of docker-compose.yml: its limits agree with the settings,
and (where nginx is installed, as in CI) it refuses an oversized body before Django reads it."""

import http.client
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

from django.conf import settings
from django.test import LiveServerTestCase, SimpleTestCase
from django.urls import reverse

CONF = Path(settings.BASE_DIR) / "deploy" / "nginx.conf"
MB = 1024 * 1024


def body_limit_mb(block: str) -> int:
    return int(re.search(r"client_max_body_size (\d+)m;", block).group(1))


def upload_location() -> tuple[re.Pattern, str]:
    """The regex of the location for multi-file uploads, and that location's block."""
    found = re.search(r"location ~ (\S+) \{(.*?)\}", CONF.read_text(), re.S)
    return re.compile(found.group(1)), found.group(2)


class ProxyConfigTest(SimpleTestCase):
    def test_it_lets_signed_in_visitors_past_the_public_pages_cache(self):
        block = CONF.read_text().split("location /hasil/ {", 1)[1].split("}", 1)[0]
        self.assertIn(f"proxy_cache_bypass $cookie_{settings.SESSION_COOKIE_NAME};", block)
        self.assertTrue(reverse("public:index").startswith("/hasil/"))

    def test_it_lets_one_evidence_file_through_everywhere(self):
        server = CONF.read_text().split("location", 1)[0]
        self.assertGreater(body_limit_mb(server), settings.EVIDENCE_MAX_FILE_MB)
        self.assertGreater(body_limit_mb(server) * MB, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)

    def test_it_lets_a_whole_allowance_through_the_multi_file_uploads_only(self):
        pattern, block = upload_location()
        self.assertGreater(body_limit_mb(block), settings.EVIDENCE_MAX_ASSESSMENT_MB)
        multi = [
            reverse("evaluations:evidence_upload", args=[12, 345]),
            reverse("evaluations:field_visit", args=[12]),
        ]
        for path in multi:
            self.assertRegex(path, pattern)
        others = [
            reverse("evaluations:evidence_replace", args=[12]),
            reverse("evaluations:f01_form", args=[12]),
            reverse("evaluations:loci_import", args=[12]),
            reverse("login"),
        ]
        for path in others:
            self.assertNotRegex(path, pattern)


NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)


class ProxyTest(LiveServerTestCase):
    """nginx with deploy/nginx.conf in front of the live server. Skipped without nginx (CI
    installs it, .ci/run)."""

    @classmethod
    def setUpClass(cls):
        if not NGINX:
            if os.environ.get("CI"):
                raise AssertionError("nginx not found; .ci/run must install it")
            raise unittest.SkipTest("nginx is not installed")
        super().setUpClass()
        cls.folder = Path(tempfile.mkdtemp(prefix="pekppp-nginx-"))
        cls.folder.chmod(0o777)  # nginx's workers (nobody) keep request bodies here
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            cls.port = probe.getsockname()[1]
        temp = "\n".join(
            f"    {kind}_temp_path {cls.folder / kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        conf = (
            CONF.read_text()
            .replace(
                "server web:8000;", f"server {cls.server_thread.host}:{cls.server_thread.port};"
            )
            .replace("listen 80;", f"listen 127.0.0.1:{cls.port};")
            .replace("access_log /dev/stdout;", "access_log off;")
            .replace("user nginx;", "")  # the image's user; here root's default (nobody)
            .replace("http {", "http {\n" + temp, 1)
            .replace("/var/cache/nginx/pekppp", str(cls.folder / "cache"))
        )
        (cls.folder / "nginx.conf").write_text(conf)
        cls.nginx = subprocess.Popen(
            [
                NGINX,
                "-c",
                str(cls.folder / "nginx.conf"),
                "-g",
                f"daemon off; pid {cls.folder / 'nginx.pid'};",
            ],
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", cls.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or cls.nginx.poll() is not None:
                    cls.tearDownClass()
                    raise
                time.sleep(0.1)

    @classmethod
    def tearDownClass(cls):
        cls.nginx.terminate()
        cls.nginx.wait(10)
        shutil.rmtree(cls.folder, ignore_errors=True)
        super().tearDownClass()

    def request(self, method: str, path: str, body: bytes | None = None, **headers):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers={"Host": "localhost", **headers})
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def test_it_refuses_a_body_over_the_limit_before_django(self):
        status, _, _ = self.request("POST", reverse("login"), b"x" * 13 * MB)
        self.assertEqual(status, 413)

    def test_it_passes_a_large_upload_to_the_multi_file_upload_url(self):
        # Django itself answers (CSRF check, 403), not the proxy's 413.
        path = reverse("evaluations:evidence_upload", args=[1, 1])
        status, _, _ = self.request("POST", path, b"x" * 13 * MB)
        self.assertEqual(status, 403)

    def test_it_compresses_pages_and_tells_django_the_scheme(self):
        status, headers, _ = self.request("GET", reverse("login"), **{"Accept-Encoding": "gzip"})
        self.assertEqual(status, 200)
        self.assertEqual(headers.get("Content-Encoding"), "gzip")
        self.assertIn("Content-Security-Policy", headers)
        # A client's own X-Forwarded-Proto is overwritten: had Django believed "https", the
        # CSRF check would refuse this form's http:// Origin with a 403.
        token = "a" * 32
        status, _, page = self.request(
            "POST",
            reverse("login"),
            f"csrfmiddlewaretoken={token}&username=x&password=y".encode(),
            **{
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={token}",
                "Origin": "http://localhost",
                "X-Forwarded-Proto": "https",
            },
        )
        self.assertEqual(status, 200, page[:300])

    def test_it_keeps_an_anonymous_public_page_and_lets_signed_in_visitors_by(self):
        path = reverse("public:index")
        statuses = []
        for _ in range(2):
            status, headers, _ = self.request("GET", path, **{"Accept-Encoding": "gzip"})
            self.assertEqual(status, 200)
            self.assertEqual(headers.get("Content-Encoding"), "gzip")
            self.assertNotIn("Set-Cookie", headers)
            statuses.append(headers.get("X-Cache-Status"))
        self.assertEqual(statuses, ["MISS", "HIT"])
        status, headers, _ = self.request("GET", path, Cookie="sessionid=abc")
        self.assertEqual(headers.get("X-Cache-Status"), "BYPASS")
        # A conditional request is answered by nginx from its copy.
        status, headers, _ = self.request("GET", path)
        etag = headers["ETag"]
        status, headers, body = self.request("GET", path, **{"If-None-Match": etag})
        self.assertEqual((status, body), (304, b""))
