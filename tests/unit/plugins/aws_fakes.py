"""Building blocks of the fake boto3 clients in the module and module_utils unit tests.

Importable as `aws_fakes` from every test under tests/unit/plugins (pytest puts this directory, which holds a
conftest.py, on sys.path).
"""

from botocore.exceptions import ClientError


def client_error(code, operation="Operation", message="error", **extra):
    """A ClientError as botocore raises it; `extra` adds top-level response keys (ResponseMetadata, ...)."""
    return ClientError(dict({"Error": {"Code": code, "Message": message}}, **extra), operation)


class Pages:
    def __init__(self, result):
        self._result = result

    def build_full_result(self):
        return self._result


class Paginator:
    """get_paginator() of a fake client that never paginates: build_full_result() is one call of `method`,
    cut down to `key` when given."""

    def __init__(self, method, key=None):
        self._method = method
        self._key = key

    def paginate(self, **params):
        result = self._method(**params)
        return Pages(result if self._key is None else {self._key: result[self._key]})


class Recorder:
    """The operations (and their parameters) each boto3 client sends, in order; `writes` names the write operations."""

    def __init__(self, monkeypatch, *clients, writes=()):
        self.calls = []
        self.write_operations = frozenset(writes)
        for client in clients:
            real = client._make_api_call

            def counting(operation, params, real=real):
                self.calls.append((operation, params))
                return real(operation, params)

            monkeypatch.setattr(client, "_make_api_call", counting)

    def operations(self):
        return [operation for operation, _params in self.calls]

    def writes(self):
        return sorted(operation for operation in self.operations() if operation in self.write_operations)

    def count(self, operation):
        return self.operations().count(operation)

    def clear(self):
        self.calls.clear()


# A key policy that lets the account administer the key (what kms_key is given in the tests).
ACCOUNT_KEY_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Account",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ],
}


class CountingClient:
    """A boto3 client, counting the API calls made through it (paginators included)."""

    def __init__(self, client):
        self._client = client
        self.calls = []
        client.meta.events.register(f"before-call.{client.meta.service_model.service_name}.*", self._count)

    def _count(self, model, **_kwargs):
        self.calls.append(model.name)

    def writes(self):
        return [call for call in self.calls if not call.startswith(("List", "Describe", "Get"))]

    def __getattr__(self, name):
        return getattr(self._client, name)
