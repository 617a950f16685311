# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Collection identity, reported to AWS in the user agent of every boto3 client our modules open."""

PAYMENTS_INFRA_COLLECTION_NAME = "payments.infra"
# Keep in step with galaxy.yml.
PAYMENTS_INFRA_COLLECTION_VERSION = "0.1.0"
