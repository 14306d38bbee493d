"""kafka: find and remove red tape in OCMW procedures.

The pipeline: case file (YAML) -> :mod:`kafka.loader` (typed :class:`kafka.model.Case`)
-> :mod:`kafka.graph` -> :mod:`kafka.analysis` (metrics and findings with proposals)
-> report data -> renderers (HTML, JSON, CSV, BPMN) -> aggregation across cases.
"""

__version__ = "0.1.0"
