# A site folder laid out like the real one (source/, snippets/ beside conf.py); the tests
# import into a copy of it, then build it.
extensions = ["relnotes.sphinxext", "myst_parser"]
myst_enable_extensions = ["colon_fence", "deflist"]
root_doc = "index"
exclude_patterns = ["_build", "snippets"]
