extensions = ["relnotes", "myst_parser"]
exclude_patterns = ["_build"]
relnotes_topics = ["networking"]
relnotes_snippets_dir = "snippets"
relnotes_ledger = "ledger.json"

