extensions = ["relnotes", "myst_parser"]
exclude_patterns = ["_build", "snippets"]
relnotes_snippets_dir = "snippets"
relnotes_ledger = "ledger.json"
relnotes_targets = ["bookworm", "trixie"]
relnotes_languages = ["en", "ja"]
locale_dirs = ["locale/"]
gettext_compact = False
# Literal blocks are translatable here, so that a snippet's staying untouched proves something.
gettext_additional_targets = ["literal-block"]
