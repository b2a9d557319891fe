# A site that enables sphinx-tabs: its code tabs on an issue page are judged as any code block.
extensions = ["relnotes.sphinxext", "myst_parser", "sphinx_tabs.tabs"]
exclude_patterns = ["_build", "snippets"]
