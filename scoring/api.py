"""The scoring API (mounted under /api/v1/ through `scoring.urls.api_patterns`)."""

from rest_framework import status
from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from pekppp.api import JSONParser

from . import simulator
from .engine import ScoringInputError
from .permissions import can_use_simulator


class CanUseSimulator(BasePermission):
    def has_permission(self, request, view) -> bool:
        return can_use_simulator(request.user)


class SimulateView(APIView):
    """POST /api/v1/simulasi/: score levels (and an optional F-03 survey) without storing.

    Body: {"instrument": "2022-A", "levels": {"1": 3, …}, "survey": [[14 answers], …] | null}.
    200 → the simulated result, numbers as strings ("4.51"; weight shares with 4 decimals);
    400 → {"errors": [...]} with the engine's messages.
    """

    parser_classes = [JSONParser]
    permission_classes = [IsAuthenticated, CanUseSimulator]

    def post(self, request):
        try:
            data = request.data
        except UnsupportedMediaType:
            return Response(
                {"errors": ["Kirim data sebagai JSON (Content-Type: application/json)."]},
                status=status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            )
        except ParseError:
            return Response(
                {"errors": ["Data permintaan bukan JSON yang sah."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            result = simulator.simulation_from_payload(data)
        except ScoringInputError as exc:
            return Response({"errors": list(exc.problems)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(simulator.as_json(result))
