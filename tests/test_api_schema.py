"""The OpenAPI description of API v1 (/api/schema/) is complete and true.

- drf-spectacular builds it without a warning or error (`spectacular --validate --fail-on-warn`);
- pekppp.openapi.AutoSchema adds to each operation the errors its view can give;
- Schemathesis (the CLI, configured by schemathesis.toml) runs every check against the live
  portal on the demo data, once per role: every answer must be one the schema declares, with
  the body and headers it declares, invalid input refused with a 4xx, valid input accepted,
  no 500.
"""

import subprocess
import sys
import tempfile
from io import StringIO
from pathlib import Path
from unittest import mock

import django_filters
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import LiveServerTestCase, SimpleTestCase, TestCase
from django.urls import path
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle

from pekppp.api import ErrorSerializer
from pekppp.demo.data import seed_demo
from tests import factories as f

CONFIG = Path(settings.BASE_DIR) / "schemathesis.toml"
# Fixed, so a failure found once is found again; small, so the run stays within minutes.
SEED = 17
MAX_EXAMPLES = 20
# The other roles walk the same operations with fewer generated cases and without the
# coverage phase (the schema's edge cases, which do not depend on who asks).
OTHER_ROLE_EXAMPLES = 8
# People of seed_demo; `orang-luar` (no role) is added by the test.
ROLES = ("koordinator", "evaluator", "operator", "pimpinan", "orang-luar")
RUN_TIMEOUT = 600


class SpectacularTest(TestCase):
    def test_it_builds_the_schema_without_a_warning_or_error(self):
        with tempfile.NamedTemporaryFile(suffix=".yaml") as out:
            stderr = StringIO()
            try:
                call_command(
                    "spectacular", "--validate", "--fail-on-warn", "--file", out.name, stderr=stderr
                )
            except Exception as exc:  # its report says what is wrong
                self.fail(f"{exc}\n{stderr.getvalue()}")
            self.assertIn(b"/api/v1/simulasi/", Path(out.name).read_bytes())


class GroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = Group
        fields = ["id", "name"]


class GroupDetail(generics.RetrieveUpdateAPIView):
    queryset = Group.objects.all()
    serializer_class = GroupSerializer
    conflict_methods = ("PUT", "PATCH")


class GroupFilter(django_filters.FilterSet):
    name = django_filters.CharFilter()
    kind = django_filters.ChoiceFilter(field_name="name", choices=[("a", "A"), ("b", "B")])

    class Meta:
        model = Group
        fields = ["name", "kind"]


class Groups(generics.ListAPIView):
    queryset = Group.objects.all()
    serializer_class = GroupSerializer
    filterset_class = GroupFilter

    @extend_schema(responses={200: GroupSerializer(many=True), 400: ErrorSerializer})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PublicGroups(generics.ListAPIView):
    queryset = Group.objects.all()
    serializer_class = GroupSerializer
    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = []
    pagination_class = None
    filter_backends = []


class OwnError(serializers.Serializer):
    errors = serializers.ListField(child=serializers.CharField())


class GroupCreate(generics.CreateAPIView):
    queryset = Group.objects.all()
    serializer_class = GroupSerializer
    authentication_classes = []
    permission_classes = [permissions.DjangoModelPermissions]

    @extend_schema(responses={201: GroupSerializer, 400: OwnError})
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class ErrorResponsesTest(SimpleTestCase):
    """What pekppp.openapi.AutoSchema adds, on views built the ways the API's views are."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        patterns = [
            path("api/v1/groups/", Groups.as_view()),
            path("api/v1/groups/<int:pk>/", GroupDetail.as_view()),
            path("api/v1/codes/<str:code>/", GroupDetail.as_view()),
            path("api/v1/public/", PublicGroups.as_view()),
            path("api/v1/new/", GroupCreate.as_view()),
        ]
        schema = SchemaGenerator(patterns=patterns).get_schema(public=True)
        cls.paths, cls.components = schema["paths"], schema["components"]

    def responses(self, url, method):
        return {
            code: response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
            for code, response in self.paths[url][method]["responses"].items()
            if not code.startswith("2")
        }

    def test_a_paginated_filtered_list_signed_in(self):
        self.assertEqual(
            self.responses("/api/v1/groups/", "get"),
            {
                "400": "FieldErrors",  # the filters, page_size
                "401": "Error",
                "403": "Error",  # session authentication: CSRF, an unverified second factor
                "404": "Error",  # a page past the end
                "429": "Error",
            },
        )

    def test_a_detail_with_an_optimistic_version(self):
        self.assertEqual(
            self.responses("/api/v1/groups/{id}/", "get"),
            # 400: a control character in the path (pekppp.request_checks)
            {"400": "FieldErrors", "401": "Error", "403": "Error", "404": "Error", "429": "Error"},
        )
        for method in ("put", "patch"):
            self.assertEqual(
                self.responses("/api/v1/groups/{id}/", method),
                {
                    "400": "FieldErrors",
                    "401": "Error",
                    "403": "Error",
                    "404": "Error",
                    "409": "Conflict",
                    "415": "Error",
                    "429": "Error",
                },
            )

    def test_a_public_unthrottled_list_without_parameters_gives_no_error(self):
        self.assertEqual(self.responses("/api/v1/public/", "get"), {})

    def test_a_response_the_view_declares_is_kept(self):
        self.assertEqual(
            self.responses("/api/v1/new/", "post"),
            # 403 from the permission class although nothing authenticates.
            {"400": "OwnError", "403": "Error", "415": "Error", "429": "Error"},
        )

    def test_a_400_declared_as_a_plain_error_takes_the_field_errors_shape(self):
        self.assertEqual(self.responses("/api/v1/groups/", "get")["400"], "FieldErrors")

    def test_filters_may_be_sent_empty_and_free_text_holds_no_control_character(self):
        parameters = {p["name"]: p for p in self.paths["/api/v1/groups/"]["get"]["parameters"]}
        self.assertEqual(
            {name: p.get("allowEmptyValue", False) for name, p in parameters.items()},
            {"name": True, "kind": True, "ordering": True, "page": False, "page_size": False},
        )
        self.assertEqual(parameters["name"]["schema"]["pattern"], r"^[^\x00-\x1F\x7F]*$")
        self.assertEqual(parameters["kind"]["schema"]["enum"], ["a", "b"])
        self.assertNotIn("pattern", parameters["kind"]["schema"])
        self.assertEqual(parameters["page_size"]["schema"]["type"], "integer")
        code = self.paths["/api/v1/codes/{code}/"]["get"]["parameters"][0]
        self.assertEqual(code["schema"], {"type": "string", "pattern": r"^[^\x00-\x1F\x7F]*$"})

    def test_field_errors_take_a_message_list_per_field(self):
        schema = self.components["schemas"]["FieldErrors"]
        self.assertEqual(schema["type"], "object")
        self.assertEqual(
            schema["additionalProperties"]["anyOf"],
            [{"type": "array", "items": {}}, {"type": "object"}, {"type": "string"}],
        )


class SchemathesisTest(LiveServerTestCase):
    """`schemathesis run` against the live portal: every check, a fixed seed, bounded examples."""

    def test_every_operation_keeps_to_the_schema_for_every_role(self):
        seed_demo()
        f.make_user("orang-luar", full_name="Orang Luar")
        # The throttles would turn part of a run into 429s depending on its speed (and every
        # role's run comes from one address): every rate throttle lets every request through.
        with mock.patch.object(SimpleRateThrottle, "allow_request", lambda *args: True):
            self.assert_schemathesis_passes("admin", "--max-examples", str(MAX_EXAMPLES))
            for username in ROLES:
                self.assert_schemathesis_passes(
                    username,
                    "--max-examples",
                    str(OTHER_ROLE_EXAMPLES),
                    "--phases",
                    "examples,fuzzing",
                )

    def assert_schemathesis_passes(self, username: str, *options: str) -> None:
        token, _ = Token.objects.get_or_create(user=get_user_model().objects.get(username=username))
        command = [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "--no-color",
            "--config-file",
            str(CONFIG),
            "run",
            f"{self.live_server_url}/api/schema/",
            "--checks",
            "all",
            "--header",
            f"Authorization: Token {token.key}",
            "--seed",
            str(SEED),
            *options,
        ]
        with self.subTest(role=username), tempfile.TemporaryDirectory() as folder:
            # Its own folder: Schemathesis keeps a cache of found failures where it runs.
            run = subprocess.run(
                command, cwd=folder, capture_output=True, text=True, timeout=RUN_TIMEOUT
            )
            self.assertEqual(
                run.returncode,
                0,
                f"schemathesis as {username}:\n{run.stdout}\n{run.stderr}",
            )
