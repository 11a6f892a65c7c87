"""The routers of the analysts' workbench (docs/workbench.md) and of labelling from the advert page."""

from __future__ import annotations

from web.routes import workbench, workbench_diff, workbench_labels, workbench_reenrich, workbench_vocab

WORKBENCH_ROUTERS = [
    module.router
    for module in (workbench, workbench_diff, workbench_reenrich, workbench_vocab, workbench_labels)
]
