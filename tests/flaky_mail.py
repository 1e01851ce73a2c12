"""An email backend for tests: like locmem, but refuses chosen addresses a number of times."""

from __future__ import annotations

import smtplib

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

REFUSE: dict[str, int] = {}


class EmailBackend(LocmemBackend):
    def send_messages(self, messages):
        for message in messages:
            for address in message.to:
                if REFUSE.get(address, 0) > 0:
                    REFUSE[address] -= 1
                    raise smtplib.SMTPRecipientsRefused({address: (451, b"try again later")})
        return super().send_messages(messages)
