"""The validation engine (Sphinx-free): layers, backends and the container harness."""
