"""Taint analysis for Python and JavaScript/TypeScript: an abstract interpreter over the tree-sitter tree.

Each variable holds a ``Value`` (where its untrusted data came from, a folded constant, the items
of a literal container). Statements run in order, both branches of an unknown condition run and
merge, constant conditions are folded, helper functions are evaluated at their call sites
(memoised per argument shape: a summary), and a sink reached by untrusted data is a ``Hit``.

Parts: ``values`` (values and joins), ``grammar`` (per-language node tables), ``statements``,
``expressions``, ``calls`` (calls and summaries), ``guards``, ``state`` and ``interpreter``.
"""

from opskit.audit.code.taint.interpreter import TaintAnalysis
from opskit.audit.code.taint.values import Origin, first_origin

__all__ = ["Origin", "TaintAnalysis", "first_origin"]
