"""Reading a response body within `max_response_bytes`: wire bytes counted, every `Content-Encoding` undone
incrementally, each layer's output bounded, so that no body (a gzip bomb, `gzip, gzip`) can take more memory.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import httpx

__all__ = ["ACCEPT_ENCODING", "BodyReader", "ResponseTooLargeError", "UndecodableBodyError"]

ACCEPT_ENCODING = "gzip, deflate"
"""The encodings the client asks for: the ones it decodes itself."""
_PIECE = 64 * 1024
"""The most one decoding step produces at a time."""
_MAX_LAYERS = 4


class ResponseTooLargeError(Exception):
    """The body is larger than the client's `max_response_bytes`; keeps the status, headers and what was read."""

    def __init__(self, response: httpx.Response, limit: int, partial: bytes = b"") -> None:
        self.status_code = response.status_code
        self.headers = response.headers
        self.partial = partial
        super().__init__(f"the response body is larger than {limit} bytes")


class UndecodableBodyError(Exception):
    """The body does not decode as its `Content-Encoding` says; keeps the status, headers and the raw bytes."""

    def __init__(self, response: httpx.Response, reason: str, raw: bytes) -> None:
        self.status_code = response.status_code
        self.headers = response.headers
        self.partial = raw
        super().__init__(f"the response body cannot be decoded: {reason}")


class _Inflater:
    """One gzip or deflate layer, decoded in pieces of at most `_PIECE` bytes."""

    def __init__(self, encoding: str) -> None:
        self._gzip = encoding in {"gzip", "x-gzip"}
        self._raw_fallback = not self._gzip
        self._started = False
        self._inflate = self._new(zlib.MAX_WBITS | 16 if self._gzip else zlib.MAX_WBITS)

    @staticmethod
    def _new(wbits: int) -> zlib._Decompress:
        return zlib.decompressobj(wbits)

    def feed(self, data: bytes) -> Iterator[bytes]:
        """The decoded pieces of `data`."""
        while data:
            if self._inflate.eof:
                if not self._gzip:
                    raise zlib.error("data after the end of the deflate stream")
                self._inflate = self._new(zlib.MAX_WBITS | 16)  # another gzip member
            try:
                piece = self._inflate.decompress(data, _PIECE)
            except zlib.error:
                if self._started or not self._raw_fallback:
                    raise
                self._raw_fallback = False
                self._inflate = self._new(-zlib.MAX_WBITS)  # deflate sent without its zlib wrapper
                continue
            self._started = True
            data = self._inflate.unconsumed_tail or self._inflate.unused_data
            if piece:
                yield piece
            while len(piece) == _PIECE and not self._inflate.unconsumed_tail:
                piece = self._inflate.decompress(b"", _PIECE)
                if piece:
                    yield piece

    def finish(self) -> None:
        """Refuse a stream cut short."""
        if self._started and not self._inflate.eof:
            raise zlib.error("the compressed body is truncated")


class BodyReader:
    """Accumulates one response body: at most `limit` wire bytes and at most `limit` decoded bytes."""

    def __init__(self, response: httpx.Response, limit: int) -> None:
        self._response = response
        self._limit = limit
        declared = response.headers.get("content-length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > limit:
            raise ResponseTooLargeError(response, limit)
        self.preread = response.is_stream_consumed
        """The transport read (and httpx decoded) the body itself, as `httpx.MockTransport` does: take `content`."""
        encodings = [
            value.strip().lower()
            for header in response.headers.get_list("content-encoding")
            for value in header.split(",")
            if value.strip().lower() not in {"", "identity"} and not self.preread
        ]
        if len(encodings) > _MAX_LAYERS or any(value not in {"gzip", "x-gzip", "deflate"} for value in encodings):
            self._layers: list[_Inflater] = []
            self._unsupported = f"unsupported Content-Encoding {', '.join(encodings)[:60]!r}"
        else:
            self._layers = [_Inflater(value) for value in reversed(encodings)]
            self._unsupported = ""
        self._raw: list[bytes] = []
        self._raw_size = 0
        self._chunks: list[bytes] = []
        self._size = 0

    def feed(self, raw: bytes) -> None:
        """Take the next bytes from the wire."""
        self._raw_size += len(raw)
        if self._raw_size > self._limit:
            raise ResponseTooLargeError(self._response, self._limit, b"".join(self._chunks))
        if self._layers and len(self._raw) < 2:
            self._raw.append(raw[:1024])  # a little of the wire form, for an error that cannot be decoded
        if self._unsupported:
            self._raw.append(raw)
            return
        self._decode(raw)

    def finish(self) -> bytes:
        """The whole decoded body."""
        if self._unsupported:
            raise UndecodableBodyError(self._response, self._unsupported, b"".join(self._raw))
        try:
            for layer in self._layers:
                layer.finish()
        except zlib.error as error:
            raise UndecodableBodyError(self._response, str(error), b"".join(self._raw)) from None
        return b"".join(self._chunks)

    def _decode(self, raw: bytes) -> None:
        try:
            for piece in self._through(0, raw):
                self._size += len(piece)
                if self._size > self._limit:
                    raise ResponseTooLargeError(self._response, self._limit, b"".join(self._chunks))
                self._chunks.append(piece)
        except zlib.error as error:
            raise UndecodableBodyError(self._response, str(error), b"".join(self._raw)) from None

    def _through(self, index: int, data: bytes) -> Iterator[bytes]:
        if index == len(self._layers):
            yield data
            return
        for piece in self._layers[index].feed(data):
            yield from self._through(index + 1, piece)
