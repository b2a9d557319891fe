"""What both trackers' importers share about a REST server: reading a saved response, and
fetching with a credential that goes in a header only.

A credential never appears in a URL, a message or a written file; it is refused over plain
http except to this machine. A URL is shown without its user information.
"""

from __future__ import annotations

import ipaddress
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any

from relnotes.importing.document import BadInput
from relnotes.importing.inputs import MAX_BYTES, decode

Opener = Callable[[urllib.request.Request, float], Any]


def open_url(request: urllib.request.Request, timeout: float) -> Any:
    return urllib.request.urlopen(request, timeout=timeout)  # the scheme was checked: http(s) only


def json_type(value: Any) -> str:
    return {list: "an array", str: "a string", dict: "an object", bool: "a boolean",
            type(None): "null"}.get(type(value), "a number")


def load_json(data: bytes, where: str) -> Any:
    """A saved response: UTF-8 JSON, or a located error."""
    try:
        return json.loads(decode(data, where))
    except json.JSONDecodeError as error:
        raise BadInput(where, f"not JSON: {error.msg} (column {error.colno})",
                       error.lineno) from None
    except RecursionError:
        raise BadInput(where, "not a response: nested too deeply") from None


def objects_in(document: Mapping[str, Any], key: str, where: str,
               endpoint: str) -> list[dict[str, Any]]:
    """``document[key]``: a list of JSON objects, or a located error naming the endpoint."""
    items = document.get(key)
    if not isinstance(items, list):
        raise BadInput(where, f"no '{key}' array: not a response of {endpoint}")
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise BadInput(where, f"{key}[{index}] is {json_type(item)}, not an object")
    return items


def search_request(parts: urllib.parse.SplitResult, *, endpoint: str, suffix: str,
                   paging: tuple[str, ...], size_key: str,
                   default_size: int) -> tuple[str, list[tuple[str, str]], int]:
    """What a paged search keeps of the URL it was given: the endpoint's path (``endpoint``
    appended unless the path already ends with ``suffix``), the query without the parameters
    the importer sets itself (``paging``), and the page size the URL asks for (``size_key``)."""
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
             if k not in paging]
    given = dict(urllib.parse.parse_qsl(parts.query)).get(size_key, "")
    page_size = int(given) if given.isdigit() and int(given) > 0 else default_size
    path = parts.path if parts.path.rstrip("/").endswith(suffix) else \
        parts.path.rstrip("/") + endpoint
    return path, query, page_size


def server_url(url: str, *, what: str, credential: str | None,
               variable: str) -> urllib.parse.SplitResult:
    """The parts of a server URL, checked: http(s), a host, no credential over plain http."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadInput(url, f"not a file, nor an http(s) URL of {what}")
    if credential and parts.scheme == "http" and not is_loopback(parts.hostname):
        raise BadInput(url, f"refusing to send {variable} over plain http; "
                                         "use the https URL")
    return parts


def shown_url(parts: urllib.parse.SplitResult) -> str:
    """The URL as messages show it: never with user information."""
    host = parts.hostname or ""
    return urllib.parse.urlunsplit(parts._replace(
        netloc=host + (f":{parts.port}" if parts.port else "")))


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def get_json(url: str, shown: str, headers: Mapping[str, str], timeout: float,
             opener: Opener) -> Any:
    """One answer of the server, as JSON; every failure a located error naming ``shown``."""
    request = urllib.request.Request(url, headers={"Accept": "application/json", **headers})
    try:
        with opener(request, timeout) as response:
            data = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise BadInput(shown, f"HTTP {error.code} {error.reason}{_error_message(error)}") \
            from None
    except TimeoutError:
        raise BadInput(shown, f"no answer within {timeout:g} s") from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise BadInput(shown, f"no answer within {timeout:g} s") from None
        raise BadInput(shown, f"cannot connect: {error.reason}") from None
    try:
        return json.loads(decode(data, shown))
    except json.JSONDecodeError as error:
        raise BadInput(shown, f"the server's answer is not JSON: {error.msg}") from None
    except RecursionError:
        raise BadInput(shown, "the server's answer is nested too deeply") from None


def _error_message(error: urllib.error.HTTPError) -> str:
    """Servers explain a refused query in a JSON body (Bugzilla's ``message``, Jira's
    ``errorMessages``); show it when there is one."""
    try:
        body = json.loads(error.read(65536).decode("utf-8"))
    except (ValueError, OSError, RecursionError):
        return ""
    if not isinstance(body, dict):
        return ""
    message = body.get("message")
    if isinstance(message, str):
        return f": {message}"
    messages = body.get("errorMessages")
    if isinstance(messages, list) and messages:
        return ": " + "; ".join(str(m) for m in messages[:3])
    return ""
