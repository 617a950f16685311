# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one base class of every payments.infra module: use PaymentsAWSModule where amazon.aws uses AnsibleAWSModule."""

from ansible_collections.amazon.aws.plugins.module_utils.common import set_collection_info
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.payments.infra.plugins.module_utils.common import PAYMENTS_INFRA_COLLECTION_NAME
from ansible_collections.payments.infra.plugins.module_utils.common import PAYMENTS_INFRA_COLLECTION_VERSION


class PaymentsAWSModule(AnsibleAWSModule):
    """AnsibleAWSModule that names payments.infra (and its version) in the botocore user agent."""

    def __init__(self, **kwargs):
        super(PaymentsAWSModule, self).__init__(**kwargs)
        set_collection_info(
            collection_name=PAYMENTS_INFRA_COLLECTION_NAME,
            collection_version=PAYMENTS_INFRA_COLLECTION_VERSION,
        )

    def exit_with_diff(self, result, warnings=()):
        """End the run with result (which holds changed and diff): warnings first, diff kept only in diff mode."""
        diff = result.pop("diff")
        for warning in warnings:
            self.warn(warning)
        if self._diff:
            result["diff"] = diff
        self.exit_json(**result)

    def validate_list_option(self, option, names, what="names", item_error=None):
        """Fail before any AWS call when the list option `option` repeats one of `names` (one per item, in order), or
        when item_error (a function of one item's options returning a message or None) finds an item wrong."""
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            self.fail_json(msg=f"{option}: {what} must be distinct, repeated: {', '.join(repeated)}")
        for index, params in enumerate(self.params[option]):
            error = item_error(params) if item_error else None
            if error:
                self.fail_json(msg=f"{option}[{index}] ({names[index]}): {error}")
