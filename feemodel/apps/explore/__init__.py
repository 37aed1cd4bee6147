"""Interactive scenario explorer for commissioners: move a lever, see what a fee decision costs.

:class:`Explorer` holds the settings and the results, with no widgets, so its logic is tested
without a kernel. Every lever states its allowed range and unit (:attr:`Explorer.levers`); the
ranges are read from the scenario schema's own fields (:func:`field_bounds`), so the explorer and
a scenario file cannot disagree. A value outside its range, or one the schema refuses, is refused
with a plain-English message and the last good figures stay; nothing is clamped. A lever that does
not apply under the chosen approach is refused with the reason (:meth:`Explorer.applies`).

Figures come from the same functions the pack uses: the first-year headline from
:func:`feemodel.model.uplift.uplift_cost` and :func:`~feemodel.model.uplift.headline`; who gains
and loses (self-funders, providers' income) from :func:`feemodel.model.impact.who_gains`; homes
below their cost of care from :func:`feemodel.model.market.sustainability`, with the pack's
small-number suppression (:func:`feemodel.publish.suppression.suppress_tables`, threshold
``publication.suppress_below``). Each move recomputes the headline, the rates costed, who pays
and top-ups (:meth:`Explorer.set`); the slower figures (:meth:`Explorer.extras`: the range of the
first-year cost, a quick Monte Carlo of :data:`QUICK_DRAWS` draws by
:func:`feemodel.model.sensitivity.monte_carlo`; the five-year series by
:func:`feemodel.model.budget.reconciliation`; who gains and loses; homes below their cost of care)
are computed once a lever stops moving.

Options side by side: :meth:`Explorer.pin` keeps up to :data:`MAX_OPTIONS` settings, each with the
range the pack would publish (the scenario's own draws and seed); :meth:`Explorer.comparison` is
their table, exported as CSV. A pinned option saved with :meth:`Explorer.save` and run with
``feemodel run`` or ``feemodel pack`` gives the same figures.

Saving writes ``NAME.yaml`` to a folder of the user's (default ``scenarios/`` in the current
working directory, never ``params/`` nor the installed package), keeping the base file's comments
(a ruamel.yaml round trip), and copies the data files it names beside it. :func:`app` wraps it in
ipywidgets for JupyterLab and Voila (``feemodel explore``, :func:`serve`).

Modules: ``core`` (the logic, no widgets), ``widgets`` (:func:`app`), ``server`` (:func:`serve`).
"""

from .core import (APPROACHES, COST_SETTINGS, MAX_OPTIONS, NAME_RE, QUICK_DRAWS, Explorer, ExplorerError, Extras, Lever, Option,
                   Results, field_bounds, fmt_value)
from .server import free_port, serve, voila_missing
from .widgets import app

__all__ = ["APPROACHES", "COST_SETTINGS", "MAX_OPTIONS", "NAME_RE", "QUICK_DRAWS", "Explorer", "ExplorerError", "Extras",
           "Lever", "Option", "Results", "app", "field_bounds", "fmt_value", "free_port", "serve", "voila_missing"]
