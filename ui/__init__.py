"""Gradio web UI over the ``assistant`` library (``assistant serve``).

Importing ``assistant`` first sets ``GRADIO_ANALYTICS_ENABLED=False`` and
``HF_HUB_OFFLINE=1`` before any module here imports Gradio.
"""

import assistant  # noqa: F401
