extensions = ["relnotes", "myst_parser"]
exclude_patterns = ["_build", "snippets"]
relnotes_snippets_dir = "snippets"
relnotes_ledger = "ledger.json"
relnotes_targets = ["bookworm", "trixie"]
