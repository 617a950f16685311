# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""diff mode output of our modules."""

import copy
from typing import Any
from typing import Dict
from typing import Optional


def build_diff(before: Optional[Dict[str, Any]], after: Optional[Dict[str, Any]]) -> Dict[str, Dict[str, Any]]:
    """{before, after} of one normalised resource (snake_case, tags as a dict); a missing one shows as {}."""
    return {"before": copy.deepcopy(before) or {}, "after": copy.deepcopy(after) or {}}
