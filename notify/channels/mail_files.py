"""The embedded default's e-mail: each message in a file of its own in EMAIL_FILE_PATH
(var/mail/), there whole or not at all.

Django's file backend appends every message of a connection to one file through a buffer. A
full disk then leaves a message cut off after its headers, which the retry writes again in
full (one address with two copies, one of them broken), and a message counted as sent may still
sit in the buffer when the process is killed. Here each message is written to a hidden file,
flushed to the disk, and only then given its name; any failure removes the hidden file and is
raised, so the e-mail channel's "could not write the message: nobody has it" is true
(notify.channels.email).
"""

import contextlib
import os
import uuid
from datetime import datetime

from django.core.mail.backends.filebased import EmailBackend as DjangoFileBackend
from django.core.mail.message import EmailMessage

SEPARATOR = b"\n" + b"-" * 79 + b"\n"  # as Django's file backend ends each message


class MessageFileBackend(DjangoFileBackend):
    """Django's file backend with one file per message, written whole or not at all."""

    def open(self) -> bool:
        return False  # no stream: each message opens its own file

    def close(self) -> None:
        pass

    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            self.write_file(message)
        return len(email_messages)

    def write_file(self, message: EmailMessage) -> str:
        """Write `message` to a new file; return its path. OSError when it could not be."""
        name = f"{datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:12]}.log"
        path = os.path.join(self.file_path, name)
        hidden = os.path.join(self.file_path, f".{name}.part")
        data = message.message().as_bytes() + SEPARATOR
        try:
            with open(hidden, "xb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(hidden, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(hidden)
            raise
        return path
