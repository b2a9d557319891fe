"""The Sphinx-free core: issues, snippet files and check specs, the ledger, the site settings."""
