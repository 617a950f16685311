"""secrets_rotation: Secrets Manager rotation function for the Aurora PostgreSQL credential.

Event (from Secrets Manager): {"SecretId": arn, "ClientRequestToken": version, "Step": one of
createSecret | setSecret | testSecret | finishSecret}. A failed step raises RotationError so that
Secrets Manager marks the attempt failed and retries; a malformed event is rejected the same way.
The logic lives in payments_common.rotation.
"""

# imported during init: every step needs Secrets Manager

import boto3  # noqa: F401  # pylint: disable=unused-import
from payments_common import config, httpapi, logs
from payments_common.errors import ConfigurationError, DependencyError
from payments_common.rotation import STEPS, RotationError, Rotator

LOG = logs.get_logger("secrets_rotation")


def handler(event, context):
    logs.bind_request_id(httpapi.request_id(event, context))
    if not isinstance(event, dict):
        raise RotationError("the event is not a Secrets Manager rotation event")
    arn, token, step = event.get("SecretId"), event.get("ClientRequestToken"), event.get("Step")
    if not (isinstance(arn, str) and arn and isinstance(token, str) and token and step in STEPS):
        LOG.error("rotation_event_invalid", step=step if isinstance(step, str) else None)
        raise RotationError("the event is not a Secrets Manager rotation event")
    LOG.info("rotation_step_start", step=step, secret=arn, version=token)
    try:
        Rotator(config.get(), LOG).run(arn, token, step)
    except RotationError as exc:
        LOG.error("rotation_step_failed", step=step, error=str(exc))
        raise
    except (DependencyError, ConfigurationError) as exc:
        LOG.error("rotation_step_failed", step=step, error=str(exc))
        raise RotationError(f"{step} failed: {exc}") from None
    except Exception as exc:
        LOG.crash("rotation_step_error", exc, step=step)
        raise RotationError(f"{step} failed ({type(exc).__name__})") from None
    return {"step": step, "status": "ok"}
