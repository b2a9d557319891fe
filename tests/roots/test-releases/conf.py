extensions = ["relnotes.sphinxext", "myst_parser"]
root_doc = "index"
exclude_patterns = ["_build", "snippets"]
