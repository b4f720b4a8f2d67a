"""The speaker registry: who said it (``registry``), matching mentions to speakers (``names``,
``resolve``), the links of Source spans (``links``), who said what (``quotes``) and the
registry's import and export (``transfer``)."""
