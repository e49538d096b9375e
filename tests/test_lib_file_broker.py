"""The file-system broker (no REDIS_URL): a worker never sees a message before it is whole."""

import os
import tempfile
from pathlib import Path
from queue import Empty
from unittest import mock

from django.test import SimpleTestCase
from kombu import Connection

from pekppp.lib.file_broker import Transport


class FileBrokerTest(SimpleTestCase):
    def test_it_shows_a_message_to_workers_only_once_it_is_written(self):
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        for sub in ("queue", "processed", "control"):
            (folder / sub).mkdir()
        options = {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "control_folder": str(folder / "control"),
            "store_processed": False,
        }
        connection = self.enterContext(Connection(transport=Transport, transport_options=options))
        queue = connection.SimpleQueue("uji")
        self.addCleanup(queue.close)
        channel = queue.channel
        before_rename = []
        real_replace = os.replace

        def rename(source, target):
            # The moment kombu's own transport lost messages: the file exists, the worker polls.
            before_rename.append(Path(source).read_bytes())
            with self.assertRaises(Empty):
                channel._get("uji")
            real_replace(source, target)

        with mock.patch("os.replace", side_effect=rename):
            queue.put({"tugas": "uji"})
        self.assertEqual(len(before_rename), 1)
        self.assertIn(b'"body": ', before_rename[0])  # already whole when it gets its name
        self.assertEqual(queue.get(timeout=1).payload, {"tugas": "uji"})
