"""Evidence on one scale, shared by every scorer: how a query's cosines and shared words with a
passage become z units (``similarity``, ``lexical_profiles``), how z units become the 0-1 scores
and labels (``calibration``), and how a candidate's passages pool into its evidence for a need
(``evidence``). Below ``recommend``, ``search`` and ``graph``, which all read it; above
``index``, whose collections it scores (``index`` reads only ``calibration``: an encoder's scale)."""
