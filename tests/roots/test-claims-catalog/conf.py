extensions = ["relnotes.sphinxext", "myst_parser"]
exclude_patterns = ["_build"]
locale_dirs = ["locale/"]
