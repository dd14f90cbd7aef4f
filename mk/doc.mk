# The reference manual (LDoc) and its checks; see config.ld and tools/doc-check.lua.
#   make doc        docs/api/index.html from the doc comments (Debian: lua-ldoc, lua-markdown)
#   make check-doc  make doc with every LDoc warning an error, then every public name of
#                   cdperf (require "cdperf" and the modules config.ld lists) must have an
#                   entry in the reference, and every entry a name (tools/doc-check.lua)
LDOC     ?= ldoc
DOC_DIR   = docs/api
# LDoc runs under Lua 5.1: tools/ on its path for the Markdown formatter (ldoc_markdown)
LDOC_RUN  = LUA_PATH="$(CURDIR)/tools/?.lua;;" $(LDOC)
# what LDoc prints even with -q, and is no warning
LDOC_CHATTER = ^(reading configuration from|found master module|\*\*\*closing section|output written to)

.PHONY: doc check-doc

doc: deps
	@rm -rf $(DOC_DIR) && mkdir -p build
	@$(LDOC_RUN) -q . >build/ldoc.log 2>&1; rc=$$?; \
	grep -Ev "$(LDOC_CHATTER)" build/ldoc.log >&2; \
	[ $$rc -eq 0 ] || { echo "doc: ldoc failed (exit status $$rc)" >&2; exit 1; }
	@echo "doc: $(DOC_DIR)/index.html"

check-doc: deps all
	@rm -rf $(DOC_DIR) && mkdir -p build
	@$(LDOC_RUN) -q --fatalwarnings . >build/ldoc.log 2>&1; rc=$$?; \
	grep -Ev "$(LDOC_CHATTER)" build/ldoc.log >build/ldoc-warnings.log; \
	if [ $$rc -ne 0 ] || [ -s build/ldoc-warnings.log ]; then \
	  echo "check-doc: LDoc warns (exit status $$rc):" >&2; cat build/ldoc-warnings.log >&2; exit 1; fi
	$(LUA) tools/doc-check.lua $(DOC_DIR)
