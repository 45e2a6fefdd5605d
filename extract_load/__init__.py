"""The raw layer: dlt pipelines for the API and file sources, Meltano for the CRM."""

import os

# dlt resolves its runtime configuration the first time it is used, usage reports included:
# switch those off before that (a deployment may still turn them on in its environment).
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
