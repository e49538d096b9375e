"""kombu's file-system broker, with message files that appear whole.

kombu's transport (5.7) creates a message file and then writes it. A worker that lists the
folder in between moves the still-empty file away, cannot decode it and stops ("Unrecoverable
error: JSONDecodeError", celery/kombu#1551): the job is lost and the worker is gone. Here each
message is written under a name the workers skip and renamed into place, which is atomic on
one file system. Used when no REDIS_URL is set (development and the test suite).
"""

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

# Workers only take files named "<...>.<queue>.msg"; a name ending otherwise is not a message yet.
PARTIAL_SUFFIX = ".part"


class Channel(filesystem.Channel):
    def _put(self, queue: str, payload: dict, **kwargs) -> None:
        """Put `payload` onto `queue`: written aside, then renamed to its message name."""
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        path = os.path.join(self.data_folder_out, name)
        try:
            with open(path + PARTIAL_SUFFIX, "wb") as out:
                out.write(str_to_bytes(dumps(payload)))
            os.replace(path + PARTIAL_SUFFIX, path)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {path!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
