extensions = ["relnotes.sphinxext", "myst_parser"]
root_doc = "index"
exclude_patterns = ["_build"]
html_theme = "furo"
pygments_style = "vs"
pygments_dark_style = "a11y-dark"
