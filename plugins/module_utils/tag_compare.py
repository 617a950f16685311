# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The tag decisions our modules and the compare-first filters share. Plain Python on amazon.aws's compare_aws_tags
(no botocore import), so a filter that compares tags costs the controller next to nothing.
"""

from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags


def tag_changes(
    current: Optional[Dict[str, str]], desired: Optional[Dict[str, str]], purge_tags: bool = True
) -> Tuple[Dict[str, str], List[str]]:
    """Tags to set and tag keys to remove so that current matches desired.

    desired=None means "the user did not set tags": nothing changes, whatever purge_tags says.
    Reserved aws:* keys are never removed (compare_aws_tags skips them). Both results are sorted by key, so
    the API calls made from them do not depend on hash order.
    """
    if desired is None:
        return {}, []
    to_set, to_unset = compare_aws_tags(current or {}, desired, purge_tags=purge_tags)
    return {key: to_text(to_set[key]) for key in sorted(to_set)}, sorted(to_unset)


def merge_tags(current: Optional[Dict[str, str]], to_set: Dict[str, str], to_unset: List[str]) -> Dict[str, str]:
    """The tags a resource will carry once to_set is applied and to_unset removed (for check and diff mode)."""
    result = {key: value for key, value in (current or {}).items() if key not in to_unset}
    result.update({key: to_text(value) for key, value in to_set.items()})
    return result
