"""Requests raced for real: the suite's application served on loopback, clients released together.

``serving`` runs Werkzeug's server in a background thread, one thread per request: each request
has its own application context, database session and connection, as in a gunicorn worker.
``LiveClient`` carries a logged-in test client's session cookie over HTTP (and the cookies the
server sets, flashed messages included), and ``at_once`` starts calls in threads that a barrier
releases at the same instant.
"""

from __future__ import annotations

import http.client
import threading
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import TypeVar

from werkzeug.serving import make_server

from tests.web.helpers import log_in

T = TypeVar("T")


@contextmanager
def serving(app) -> Iterator[str]:
    """Serve ``app`` on a free loopback port in a background thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@dataclass(frozen=True)
class Answer:
    """What the live server answered: status, redirect target (if any) and body."""

    status: int
    location: str
    text: str


class LiveClient:
    """One person's browser against the live server: their cookies, no redirect followed."""

    def __init__(self, base_url: str, cookies: dict[str, str]) -> None:
        self.address = urllib.parse.urlsplit(base_url).netloc
        self.cookies = dict(cookies)

    def get(self, path: str) -> Answer:
        return self._send("GET", path, None, {})

    def post(self, path: str, data: dict[str, str | list[str]]) -> Answer:
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        return self._send("POST", path, urllib.parse.urlencode(data, doseq=True), form)

    def _send(self, method: str, path: str, body: str | None, headers: dict) -> Answer:
        """Send one request on its own connection, as two browsers would; keep the new cookies."""
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        connection = http.client.HTTPConnection(self.address, timeout=120)
        try:
            connection.request(method, path, body=body, headers={**headers, "Cookie": cookie})
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.cookies.update(
                {name: morsel.value for name, morsel in SimpleCookie(header).items()}
            )
        return Answer(response.status, response.getheader("Location", ""), text)


def logged_in(app, base_url: str, user) -> LiveClient:
    """Log ``user`` in with a test client (both steps for an administrator); return a LiveClient."""
    client = app.test_client()
    log_in(client, user)
    name = app.config["SESSION_COOKIE_NAME"]
    return LiveClient(base_url, {name: client.get_cookie(name).value})


def at_once(calls: Sequence[Callable[[], T]], timeout: float = 120) -> list[T]:
    """Run each call in its own thread, all released by one barrier; return results in order.

    An exception raised by a call is raised here, after every thread has ended.
    """
    barrier = threading.Barrier(len(calls), timeout=timeout)
    results: list = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], T]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except BaseException as error:  # raised by at_once, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    if errors:
        raise errors[0]
    return results
