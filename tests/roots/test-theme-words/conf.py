# Furo in Japanese, with a template of the site's that shows a word nobody translated.
extensions = ["relnotes.sphinxext", "myst_parser"]
exclude_patterns = ["_build", "snippets"]
html_theme = "furo"
templates_path = ["_templates"]
copyright = "Example Corp."
