# Device trees: dts/*.dts -> $(BUILD)/dts/*.dtb with dtc, part of `make`. Warnings
# are shown; on an error dtc exits non-zero and writes no blob, so the build stops.

DTS_SOURCES := $(wildcard dts/*.dts)
DTS_BLOBS   := $(patsubst dts/%.dts,$(BUILD)/dts/%.dtb,$(DTS_SOURCES))

all: $(DTS_BLOBS)

# -d: dtc lists the files the source /include/s, so editing one rebuilds the blob.
$(BUILD)/dts/%.dtb: dts/%.dts | deps
	@mkdir -p $(@D)
	$(call say,DTC,$<)
	$(Q)dtc -I dts -O dtb -d $@.d -o $@ $<

-include $(DTS_BLOBS:.dtb=.dtb.d)
