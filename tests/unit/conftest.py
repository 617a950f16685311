"""Make `ansible_collections.payments.infra` importable in unit tests, next to the installed collections.

collections/ansible_collections/payments/infra links back to the repository root, so putting collections/
on sys.path exposes this checkout as payments.infra. `ansible_collections` is a namespace package (no
__init__.py), so the venv's site-packages/ansible_collections (amazon.aws, community.aws) still contributes
to it: both directories make up the one package.
"""

import sys
from pathlib import Path

COLLECTIONS = Path(__file__).resolve().parents[2] / "collections"

if str(COLLECTIONS) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS))
