# -*- coding: utf-8 -*-
# Copyright: Contributors to the keyfactor.command collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Errors a module turns into a failed task. Each carries a message a user can act on.

Internal to the collection; not a public API.
"""

from __future__ import annotations


class KeyfactorError(Exception):
    """Base class: ``str(error)`` is the whole message for the user."""

    # True when the error came after a removal request that Command may have acted on.
    maybe_submitted = False


class InputError(KeyfactorError):
    """The task's options cannot work; raised before any request is sent."""


class ApiError(KeyfactorError):
    """Command answered with an error status or a body that cannot be used."""

    def __init__(self, action, status=None, server_message=None, hint=None):
        self.action = action
        self.status = status
        self.server_message = server_message
        self.hint = hint
        super(ApiError, self).__init__(self._compose())

    def _compose(self):
        text = "%s failed" % self.action
        if self.status is not None:
            text += ": HTTP %s" % self.status
        if self.server_message:
            text += ": %s" % self.server_message
        text = text.rstrip(".") + "."
        if self.hint:
            text += " " + self.hint
        return text


class TransportError(KeyfactorError):
    """No HTTP answer at all: refused connection, TLS failure, time-out."""

    # True when the request may have reached the server before the answer was lost.
    maybe_sent = False

    def __init__(self, action, reason, hint=None):
        self.action = action
        self.reason = reason
        text = "%s failed: %s." % (action, reason.rstrip("."))
        if hint:
            text += " " + hint
        super(TransportError, self).__init__(text)
