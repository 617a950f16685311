r"""A fault-injecting HTTP proxy between AWS clients (Ansible, boto3) and the emulator.

    python tests/faults/proxy.py --upstream http://127.0.0.1:5100 --port 5199 \
        [--throttle-share 0.12] [--slow-share 0.05] [--slow-seconds 1.5] [--fail-first 0] [--bare-share 0.2] \
        [--seed 7] [--stats stats.json]

Point AWS_ENDPOINT_URL at the proxy. Every request is forwarded unchanged (method, path, query, headers,
body) to the upstream and the answer is streamed back, except that a seeded share of the signed AWS
requests is answered with a throttling error instead, and another share is delayed before it is forwarded.

The throttling error is written in the protocol of the service the request was meant for, so botocore parses
the same error code it would get from AWS: the service comes from the SigV4 credential scope
(`Credential=KEY/DATE/REGION/SERVICE/aws4_request`) and the protocol from the request itself (the request
format botocore picked for that service):

    ec2 query           HTTP 503  <Response><Errors><Error><Code>RequestLimitExceeded</Code>...
    query (iam, rds, sts, sns, elasticloadbalancing, autoscaling)
                        HTTP 400  <ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>...
    json (X-Amz-Target: dynamodb, kms, secretsmanager, logs, ssm, sqs, monitoring, acm, wafv2, events)
                        HTTP 400  {"__type": "ThrottlingException"} + x-amzn-ErrorType
    rpc-v2-cbor         HTTP 400  the same as CBOR
    rest-json (lambda, apigateway)
                        HTTP 429  TooManyRequestsException
    rest-xml (s3)       HTTP 503  <Error><Code>SlowDown</Code>...
    bare (any service)  HTTP 503 with an empty body, no AWS error code (as an overloaded front end answers)

Requests without a SigV4 signature (the emulator's own /moto-api) are forwarded and never disturbed.
`--stats FILE` writes the counters as JSON every second and on exit; the library form (`FaultProxy`) gives
them as `proxy.stats.snapshot()`.
"""

import argparse
import http.client
import http.server
import json
import random
import re
import signal
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

CREDENTIAL_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/([^/,\s]+)/([^/,\s]+)/aws4_request")
PRESIGNED_SCOPE = re.compile(r"X-Amz-Credential=[^&]*?(?:/|%2F)\d{8}(?:/|%2F)([^/&%]+)(?:/|%2F)([^/&%]+)")
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "expect",
}
CHUNK = 64 * 1024
BARE_SHARE = 0.2  # of the throttled requests, answered with a bare HTTP 503 instead of the service's error
QUERY_XMLNS = {
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
    "sns": "http://sns.amazonaws.com/doc/2010-03-31/",
    "rds": "http://rds.amazonaws.com/doc/2014-10-31/",
    "elasticloadbalancing": "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/",
    "autoscaling": "http://autoscaling.amazonaws.com/doc/2011-01-01/",
    "monitoring": "http://monitoring.amazonaws.com/doc/2010-08-01/",
}


def signed_service(headers, path):
    """The (region, service) of the SigV4 credential scope of a request, or None when it is not signed."""
    match = CREDENTIAL_SCOPE.search(headers.get("Authorization", ""))
    if match is None:
        match = PRESIGNED_SCOPE.search(path)
    return (match.group(1), match.group(2)) if match else None


def request_protocol(service, headers, body, path):
    """The AWS protocol a request was sent in: ec2, query, json, cbor, rest-json or rest-xml."""
    if headers.get("smithy-protocol", "").lower() == "rpc-v2-cbor":
        return "cbor"
    if headers.get("X-Amz-Target"):
        return "json"
    content_type = headers.get("Content-Type", "")
    query = urlsplit(path).query
    if "x-www-form-urlencoded" in content_type or "Action=" in query:
        fields = parse_qs(body.decode("utf-8", "replace")) if body else {}
        if "Action" in fields or "Action=" in query:
            return "ec2" if service == "ec2" else "query"
    if service == "s3":
        return "rest-xml"
    return "rest-json"


def _cbor_text(value):
    data = value.encode("utf-8")
    if len(data) < 24:
        return bytes([0x60 | len(data)]) + data
    return bytes([0x78, len(data)]) + data


def _cbor_map(pairs):
    out = bytes([0xA0 | len(pairs)])
    for key, value in pairs.items():
        out += _cbor_text(key) + _cbor_text(value)
    return out


def throttle_response(service, protocol, bare=False):
    """(status, headers, body, error code) of a throttling answer for a request of this service and protocol."""
    request_id = str(uuid.uuid4())
    if bare:
        return 503, {}, b"", "HTTP 503"
    if protocol == "ec2":
        body = (
            "<?xml version='1.0' encoding='UTF-8'?>\n<Response><Errors><Error><Code>RequestLimitExceeded</Code>"
            f"<Message>Request limit exceeded.</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>"
        )
        return 503, {"Content-Type": "text/xml;charset=UTF-8"}, body.encode(), "RequestLimitExceeded"
    if protocol == "query":
        xmlns = QUERY_XMLNS.get(service, f"https://{service}.amazonaws.com/doc/")
        body = (
            f'<ErrorResponse xmlns="{xmlns}"><Error><Type>Sender</Type><Code>Throttling</Code>'
            f"<Message>Rate exceeded</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        return 400, {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}, body.encode(), "Throttling"
    if protocol == "json":
        body = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()
        headers = {
            "Content-Type": "application/x-amz-json-1.1",
            "x-amzn-ErrorType": "ThrottlingException",
            "x-amzn-RequestId": request_id,
        }
        return 400, headers, body, "ThrottlingException"
    if protocol == "cbor":
        body = _cbor_map({"__type": "ThrottlingException", "message": "Rate exceeded"})
        headers = {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor", "x-amzn-RequestId": request_id}
        return 400, headers, body, "ThrottlingException"
    if protocol == "rest-xml":
        body = (
            "<?xml version='1.0' encoding='UTF-8'?>\n<Error><Code>SlowDown</Code>"
            f"<Message>Please reduce your request rate.</Message><RequestId>{request_id}</RequestId></Error>"
        )
        return 503, {"Content-Type": "application/xml", "x-amz-request-id": request_id}, body.encode(), "SlowDown"
    body = json.dumps({"message": "Too Many Requests"}).encode()
    headers = {
        "Content-Type": "application/json",
        "x-amzn-ErrorType": "TooManyRequestsException",
        "x-amzn-RequestId": request_id,
    }
    return 429, headers, body, "TooManyRequestsException"


class FaultPlan:
    """Which requests to disturb: the first `fail_first` signed requests are throttled, then a seeded share.

    A request drawn for throttling is answered with the service's throttling error (or, for `bare_share` of
    them, a bare HTTP 503); one drawn as slow is delayed by `slow_seconds` and then forwarded.
    """

    def __init__(
        self, throttle_share=0.0, slow_share=0.0, *, slow_seconds=1.5, fail_first=0, seed=7, bare_share=BARE_SHARE
    ):
        if not 0 <= throttle_share <= 1 or not 0 <= slow_share <= 1 or throttle_share + slow_share > 1:
            raise ValueError("throttle_share and slow_share must be shares (0..1) adding up to at most 1")
        self.throttle_share = throttle_share
        self.slow_share = slow_share
        self.slow_seconds = slow_seconds
        self.fail_first = fail_first
        self.bare_share = bare_share
        self._random = random.Random(seed)  # noqa: S311 (a reproducible draw of faults, not a secret)
        self._lock = threading.Lock()
        self._seen = 0

    def _throttle_kind(self):
        return "bare" if self._random.random() < self.bare_share else "throttle"

    def draw(self):
        """'throttle', 'bare', 'slow' or 'pass' for the next signed request."""
        with self._lock:
            self._seen += 1
            if self._seen <= self.fail_first:
                return self._throttle_kind()
            roll = self._random.random()
            if roll < self.throttle_share:
                return self._throttle_kind()
            if roll < self.throttle_share + self.slow_share:
                return "slow"
            return "pass"


class FaultStats:
    """Thread-safe counters: requests, throttled, slowed, per service and per error code."""

    def __init__(self):
        self._lock = threading.Lock()
        self.requests = 0
        self.unsigned = 0
        self.throttled = 0
        self.slowed = 0
        self.by_service = Counter()
        self.throttled_by_service = Counter()
        self.by_code = Counter()

    def count(self, service, outcome, code=None):
        with self._lock:
            if service is None:
                self.unsigned += 1
                return
            self.requests += 1
            self.by_service[service] += 1
            if outcome == "throttled":
                self.throttled += 1
                self.throttled_by_service[service] += 1
                self.by_code[code] += 1
            elif outcome == "slowed":
                self.slowed += 1

    def snapshot(self):
        with self._lock:
            return {
                "requests": self.requests,
                "throttled": self.throttled,
                "slowed": self.slowed,
                "throttled_share": round(self.throttled / self.requests, 4) if self.requests else 0.0,
                "unsigned_requests": self.unsigned,
                "requests_by_service": dict(sorted(self.by_service.items())),
                "throttled_by_service": dict(sorted(self.throttled_by_service.items())),
                "throttled_by_code": dict(sorted(self.by_code.items())),
            }


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "payments-faults-proxy"

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        if self.server.verbose:
            super().log_message(format, *args)

    def _read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _handle(self):
        body = self._read_body()
        scope = signed_service(self.headers, self.path)
        service = scope[1] if scope else None
        decision = self.server.plan.draw() if scope else "pass"
        if decision in ("throttle", "bare"):
            protocol = request_protocol(service, self.headers, body, self.path)
            status, headers, payload, code = throttle_response(service, protocol, bare=decision == "bare")
            self.server.stats.count(service, "throttled", code)
            self._answer(status, headers, payload)
            return
        if decision == "slow":
            time.sleep(self.server.plan.slow_seconds)
        self.server.stats.count(service, "slowed" if decision == "slow" else "passed")
        self._forward(body)

    def _answer(self, status, headers, payload):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _forward(self, body):
        upstream = self.server.upstream
        connection = http.client.HTTPConnection(upstream.hostname, upstream.port or 80, timeout=300)
        try:
            headers = {name: value for name, value in self.headers.items() if name.lower() not in HOP_BY_HOP}
            if body or "Content-Length" in self.headers or "Transfer-Encoding" in self.headers:
                headers["Content-Length"] = str(len(body))
            connection.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for name, value in headers.items():
                connection.putheader(name, value)
            connection.endheaders(body or None)
            response = connection.getresponse()
            self.send_response_only(response.status, response.reason)
            length = response.getheader("Content-Length")
            chunked = length is None and self.command != "HEAD" and response.status not in (204, 304)
            for name, value in response.getheaders():
                if name.lower() not in HOP_BY_HOP:
                    self.send_header(name, value)
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            while self.command != "HEAD":
                data = response.read1(CHUNK) if chunked else response.read(CHUNK)
                if not data:
                    break
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
        finally:
            connection.close()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _handle


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


class FaultProxy:
    """The proxy as a library: `with FaultProxy(upstream, plan) as proxy: ... proxy.url ... proxy.stats`."""

    def __init__(self, upstream, plan=None, port=0, verbose=False):
        self.plan = plan or FaultPlan()
        self.stats = FaultStats()
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.upstream = urlsplit(upstream)
        self._server.plan = self.plan
        self._server.stats = self.stats
        self._server.verbose = verbose
        self._thread = None

    @property
    def port(self):
        return self._server.server_address[1]

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self._thread = threading.Thread(target=self._server.serve_forever, name="faults-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()


def write_stats(path, stats):
    path = Path(path)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(stats.snapshot(), indent=2) + "\n")
    tmp.replace(path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--upstream", required=True, help="the emulator's endpoint, e.g. http://127.0.0.1:5100")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--throttle-share", type=float, default=0.12, help="share of signed requests throttled")
    parser.add_argument("--slow-share", type=float, default=0.05, help="share of signed requests delayed")
    parser.add_argument("--slow-seconds", type=float, default=1.5, help="delay of a slow request")
    parser.add_argument("--fail-first", type=int, default=0, help="throttle the first N signed requests")
    parser.add_argument("--bare-share", type=float, default=BARE_SHARE, help="share of throttles as bare HTTP 503")
    parser.add_argument("--seed", type=int, default=7, help="seed of the draw")
    parser.add_argument("--stats", help="write the counters to this JSON file")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    plan = FaultPlan(
        args.throttle_share,
        args.slow_share,
        slow_seconds=args.slow_seconds,
        fail_first=args.fail_first,
        seed=args.seed,
        bare_share=args.bare_share,
    )
    proxy = FaultProxy(args.upstream, plan, port=args.port, verbose=args.verbose)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    proxy.start()
    print(proxy.url, flush=True)
    try:
        while not stopping.wait(1.0):
            if args.stats:
                write_stats(args.stats, proxy.stats)
    finally:
        proxy.stop()
        if args.stats:
            write_stats(args.stats, proxy.stats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
