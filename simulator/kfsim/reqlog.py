"""The in-memory log of API and token requests that tests read through GET /_sim/requests."""

from __future__ import annotations

import threading

MAX_ENTRIES = 10000


class RequestLog:
    def __init__(self):
        self._lock = threading.Lock()
        self._entries: list[dict] = []
        self._seq = 0

    def start(
        self,
        endpoint: str,
        method: str,
        path: str,
        query: str,
        params: dict,
        headers: dict,
        body,
    ) -> dict:
        with self._lock:
            self._seq += 1
            entry = {
                "seq": self._seq,
                "endpoint": endpoint,
                "method": method,
                "path": path,
                "query": query,
                "params": params,
                "headers": headers,
                "body": body,
                "status": None,
                "response": None,
                "contract_errors": [],
                "principal": None,
                "token_id": None,
                "client_cert": None,
                "fault": None,
                "processed": False,
                "dropped": False,
                "history_hidden": [],
            }
            self._entries.append(entry)
            # A long demo run must not grow without bound; tests clear the log far sooner.
            del self._entries[:-MAX_ENTRIES]
            return entry

    def entries(self, since: int = 0) -> list[dict]:
        with self._lock:
            return [dict(e) for e in self._entries if e["seq"] > since]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
