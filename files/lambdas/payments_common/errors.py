"""Error types shared by the handlers."""


class DependencyError(Exception):
    """A dependency (DynamoDB, Secrets Manager, SNS, S3, PostgreSQL) failed.

    `status` is the HTTP status to answer with: 503 when the dependency is unavailable (timeouts,
    throttling, connection refused) and a retry may succeed, 502 when it answered with an error that
    a retry will not fix. The message is safe to log and to return: it never carries request data.
    """

    def __init__(self, dependency, code, message, retryable=True, status=None):
        super().__init__(f"{dependency}: {code}: {message}")
        self.dependency = dependency
        self.code = code
        self.message = message
        self.retryable = retryable
        self.status = status if status is not None else (503 if retryable else 502)

    def as_dict(self):
        return {
            "code": self.code,
            "message": self.message,
            "dependency": self.dependency,
            "retryable": self.retryable,
        }


class ConfigurationError(Exception):
    """The function's environment is missing or has an invalid setting (names the variable)."""
