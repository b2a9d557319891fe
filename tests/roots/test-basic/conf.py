extensions = ["relnotes", "myst_parser"]
root_doc = "index"
exclude_patterns = ["_build", "snippets"]
relnotes_topics = ["networking", "storage", "migration"]
relnotes_snippets_dir = "snippets"
relnotes_ledger = "ledger.json"
relnotes_bugzilla_url = "https://bz.example/{bz}"
