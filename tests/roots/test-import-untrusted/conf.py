# A site folder laid out like the real one (source/, snippets/ beside conf.py); the tests
# import into a copy of it, then build it.
extensions = ["relnotes", "myst_parser"]
myst_enable_extensions = ["colon_fence", "deflist"]
root_doc = "index"
exclude_patterns = ["_build", "snippets"]
relnotes_snippets_dir = "snippets"
relnotes_ledger = "ledger.json"
relnotes_targets = ["bookworm", "trixie"]
relnotes_bugzilla_url = "https://bz.example/{bz}"
