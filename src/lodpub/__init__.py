"""lodpub: publish reporting as Linked Data, every fact traced to its source text."""

__version__ = "0.1.0"
