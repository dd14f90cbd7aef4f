# Transport faults, injected (spec/faults_spec.lua, docs/faults.md): the LD_PRELOAD shim
# test/kernel/fault_shim.c that fails or bends SG_IO, close and the iSCSI socket on demand.
# The Windows counterpart is built by mk/windows.mk (build/win-faults).
FAULT_SHIM = build/faults/fault_shim.so

.PHONY: faults-shim

faults-shim: $(FAULT_SHIM)

$(FAULT_SHIM): test/kernel/fault_shim.c
	@mkdir -p $(dir $@)
	$(CC) $(WARNINGS) -O2 -fPIC -shared -o $@ $< -ldl
