extensions = ["relnotes.sphinxext", "myst_parser"]
exclude_patterns = ["_build", "snippets"]
locale_dirs = ["locale/"]
gettext_compact = False
# Literal blocks are translatable here, so that a snippet's staying untouched proves something.
gettext_additional_targets = ["literal-block"]
