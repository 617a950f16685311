# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The comparison of a log group that payments.infra.cloudwatchlogs_log_groups (through module_utils/logs.py) and the
cloudwatchlogs_log_group_differences filter share. Plain Python (no botocore import), so the filter costs the
controller next to nothing.
"""

from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.payments.infra.plugins.module_utils.tag_compare import tag_changes


def log_group_differences(
    current: Optional[Dict[str, Any]], desired: Dict[str, Any], purge_tags: bool = True
) -> List[str]:
    """What cloudwatchlogs_log_groups (state present) would change: ["missing"] for a group that does not exist,
    else the differing options among retention, kms_key_id and tags ([] when none). An option desired leaves unset
    (None) is never compared; tags compare with purge_tags (aws:* keys are never removed)."""
    if not current:
        return ["missing"]
    differences = []
    if desired.get("retention") is not None and current.get("retention_in_days") != int(desired["retention"]):
        differences.append("retention")
    if desired.get("kms_key_id") is not None and (current.get("kms_key_id") or "") != desired["kms_key_id"]:
        differences.append("kms_key_id")
    to_set, to_unset = tag_changes(current.get("tags"), desired.get("tags"), purge_tags)
    if to_set or to_unset:
        differences.append("tags")
    return differences
