"""The demo township (``township-desk demo``): a believable ledger written into an empty database.

``township`` writes the villages (and a 社区), visitors, elders, supporters and status history, then runs the
extension steps in the same transaction: ``visits`` (a year of visits, assessments, hazards) and ``agreements``
(mutual-aid agreements). ``names`` holds the plain data they draw from.
"""

from township_desk.models.demo.township import EXTENSION_STEPS, DemoSummary, generate

__all__ = ["EXTENSION_STEPS", "DemoSummary", "generate"]
