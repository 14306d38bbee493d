"""Exports of an analysed case for other tools.

- BPMN 2.0 XML for modelling tools (bpmn.io, Camunda Modeler): the case as a
  process with one lane per organisation (or actor), in three stages --
  :mod:`kafka.export.bpmn_process` (the case as BPMN elements),
  :mod:`kafka.export.bpmn_layout` (their geometry, laid out by Graphviz) and
  :mod:`kafka.export.bpmn` (the XML);
- the process map alone as DOT, SVG or PNG, and the full analysis as JSON
  (:mod:`kafka.export.formats`, which also lists every format).
"""
