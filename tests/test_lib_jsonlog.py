"""pekppp/lib/jsonlog.py: no Django needed, so no database either."""

import json
import logging
from unittest import TestCase

from pekppp.lib.jsonlog import UtcJsonFormatter


class UtcJsonFormatterTest(TestCase):
    def test_it_writes_one_json_line_with_the_time_in_utc(self):
        record = logging.LogRecord(
            "pekppp.security", logging.WARNING, "", 0, "login_failed", (), None
        )
        record.created = 1_700_000_000.25  # 2023-11-14 22:13:20.250 UTC (05:13 in Jakarta)
        record.fields = {"username": 'operator\n{"event": "palsu"}', "ip": "10.1.1.1"}
        text = UtcJsonFormatter().format(record)
        self.assertNotIn("\n", text)
        self.assertEqual(
            json.loads(text),
            {
                "time": "2023-11-14T22:13:20.250Z",
                "level": "WARNING",
                "logger": "pekppp.security",
                "event": "login_failed",
                "username": 'operator\n{"event": "palsu"}',
                "ip": "10.1.1.1",
            },
        )
