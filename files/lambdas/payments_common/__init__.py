"""Shared code for the payments.infra Lambda functions.

Bundled into every function's zip by scripts/build_lambdas.py (never copied between functions).
Modules that need boto3 or pg8000 import them lazily, so the validation path stays boto3-free.
"""

__version__ = "1.0.0"
