"""API error type and the ErrorCode values the simulator uses.

Only the body shape {"ErrorCode": "0x...", "Message": "..."} is evidenced (API-NOTES §8); the
individual codes below are the simulator's own, except INVALID_SORT_FIELD (TF client mock).
"""

from __future__ import annotations

VALIDATION = "0xA0110001"
MISSING_HEADER = "0xA0110002"
UNSUPPORTED_MEDIA = "0xA0110003"
INVALID_QUERY = "0xA0110023"
INVALID_SORT_FIELD = "0xA011004A"
FORBIDDEN = "0xA0140001"
NOT_FOUND = "0xA0160001"


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict:
        return {"ErrorCode": self.code, "Message": self.message}


def bad_request(message: str, code: str = VALIDATION) -> ApiError:
    return ApiError(400, code, message)


def not_found(message: str) -> ApiError:
    return ApiError(404, NOT_FOUND, message)
