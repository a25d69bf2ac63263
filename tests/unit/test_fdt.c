/* Host tests of the FDT reader: exact values from QEMU's virt DTB and a
 * hand-written fixture, then truncated, corrupted and bit-flipped blobs.
 * Usage: test_fdt VIRT_DTB FIXTURE_DTB */
#define UNIT_SUITE "fdt"
#include "unit.h"

#include <stdbool.h>

#include "core/fdt.h"
#include "opal/error.h"
#include "fdt_blob.h"

#define MALFORMED (-OPAL_ERR_MALFORMED)
#define NOT_FOUND (-OPAL_ERR_NOT_FOUND)
#define INVALID (-OPAL_ERR_INVALID_ARGUMENT)

static struct blob virt(void)
{
    return load(1);
}

static struct blob fixture(void)
{
    return load(2);
}

/* The length of the blob up to the end of its last block, so truncation and
 * flip loops need not copy QEMU's megabyte of zero padding. */
static size_t used_size(const uint8_t *blob)
{
    uint32_t struct_end = header(blob, HDR_OFF_STRUCT) + header(blob, HDR_SIZE_STRUCT);
    uint32_t strings_end = header(blob, HDR_OFF_STRINGS) + header(blob, HDR_SIZE_STRINGS);
    return struct_end > strings_end ? struct_end : strings_end;
}

/* An exact-size copy of the used part of a blob, with totalsize patched to it. */
static uint8_t *compact_copy(struct blob b, size_t *size)
{
    *size = used_size(b.data);
    uint8_t *copy = unit_copy(b.data, *size);
    set_header(copy, HDR_TOTALSIZE, (uint32_t)*size);
    return copy;
}

static int count_nodes(const struct fdt *fdt, int *result)
{
    int depth = -1, node = -1, count = 0;
    while ((node = fdt_next_node(fdt, node, &depth)) >= 0)
        count++;
    *result = node;
    return count;
}

/* Offset (in the structure block) of the FDT_PROP token of a property. */
static uint32_t property_token(const struct fdt *fdt, int node, const char *name)
{
    const uint8_t *value = fdt_property(fdt, node, name, NULL);
    return (uint32_t)(value - fdt->blob) - fdt->struct_offset - 12;
}

static uint8_t *struct_at(const struct fdt *fdt, uint8_t *blob, uint32_t offset)
{
    return blob + fdt->struct_offset + offset;
}

/* ---- QEMU virt: exact values ---- */

TEST(virt_open)
{
    struct fdt fdt;
    struct blob b = virt();

    CHECKF(b.data != NULL, "cannot read the virt DTB (argument 1): %s", unit_arg(1));
    CHECK_EQ(fdt_open(&fdt, b.data, b.size), OPAL_OK);
    CHECK_EQ(fdt.size, b.size);
    CHECK_EQ(fdt_path_offset(&fdt, "/"), 0);
    CHECK_STR(fdt_node_name(&fdt, 0), "");
    CHECK_EQ(fdt_stringlist_contains(&fdt, 0, "compatible", "linux,dummy-virt"), 1);
}

TEST(virt_memory)
{
    struct fdt fdt;
    uint64_t address = 0, size = 0;
    struct blob b = virt();

    CHECK(b.data != NULL);
    CHECK_EQ(fdt_open(&fdt, b.data, b.size), OPAL_OK);
    int node = fdt_path_offset(&fdt, "/memory@40000000");
    CHECK(node > 0);
    CHECK_EQ(fdt_path_offset(&fdt, "/memory"), node);
    CHECK_STR(fdt_node_name(&fdt, node), "memory@40000000");
    CHECK_EQ(fdt_stringlist_contains(&fdt, node, "device_type", "memory"), 1);
    CHECK_EQ(fdt_reg(&fdt, node, 0, &address, &size), OPAL_OK);
    CHECK_EQ(address, 0x40000000);
    CHECK_EQ(size, 0x40000000);
    CHECK_EQ(fdt_reg(&fdt, node, 1, &address, &size), NOT_FOUND);
    CHECK_EQ(fdt_path_offset(&fdt, "/memory@40000001"), NOT_FOUND);
}

TEST(virt_uart)
{
    struct fdt fdt;
    uint64_t address = 0, size = 0;
    uint32_t cell = 0;
    struct blob b = virt();

    CHECK(b.data != NULL);
    CHECK_EQ(fdt_open(&fdt, b.data, b.size), OPAL_OK);
    int node = fdt_node_by_compatible(&fdt, -1, "arm,pl011");
    CHECK(node > 0);
    CHECK_STR(fdt_node_name(&fdt, node), "pl011@9000000");
    CHECK_EQ(fdt_path_offset(&fdt, "/pl011@9000000"), node);
    CHECK_EQ(fdt_path_offset(&fdt, "/pl011"), node);
    CHECK_EQ(fdt_path_offset(&fdt, "/pl011@900"), NOT_FOUND);
    CHECK_EQ(fdt_path_offset(&fdt, "/pl01"), NOT_FOUND);
    CHECK_EQ(fdt_reg(&fdt, node, 0, &address, &size), OPAL_OK);
    CHECK_EQ(address, 0x09000000);
    CHECK_EQ(size, 0x1000);
    CHECK_EQ(fdt_property_cell(&fdt, node, "interrupts", 1, &cell), OPAL_OK);
    CHECK_EQ(cell, 1);
    CHECK_EQ(fdt_stringlist_contains(&fdt, node, "compatible", "arm,primecell"), 1);
    CHECK_EQ(fdt_node_by_compatible(&fdt, node, "arm,pl011"), NOT_FOUND);
}

TEST(virt_gic)
{
    static const uint64_t expected[] = { 0x08000000, 0x08010000, 0x08030000, 0x08040000 };
    struct fdt fdt;
    uint64_t address = 0, size = 0;
    uint32_t cell = 0, phandle = 0, parent = 0, length = 99;
    struct blob b = virt();

    CHECK(b.data != NULL);
    CHECK_EQ(fdt_open(&fdt, b.data, b.size), OPAL_OK);
    int gic = fdt_node_by_compatible(&fdt, -1, "arm,cortex-a15-gic");
    CHECK(gic > 0);
    CHECK_EQ(fdt_path_offset(&fdt, "/intc@8000000"), gic);
    for (unsigned i = 0; i < 4; i++) {
        CHECK_EQ(fdt_reg(&fdt, gic, i, &address, &size), OPAL_OK);
        CHECK_EQ(address, expected[i]);
        CHECK_EQ(size, 0x10000);
    }
    CHECK_EQ(fdt_reg(&fdt, gic, 4, &address, &size), NOT_FOUND);
    /* The maintenance interrupt: PPI 9, level high. */
    CHECK_EQ(fdt_property_cell(&fdt, gic, "interrupts", 0, &cell), OPAL_OK);
    CHECK_EQ(cell, 1);
    CHECK_EQ(fdt_property_cell(&fdt, gic, "interrupts", 1, &cell), OPAL_OK);
    CHECK_EQ(cell, 9);
    CHECK_EQ(fdt_property_cell(&fdt, gic, "interrupts", 2, &cell), OPAL_OK);
    CHECK_EQ(cell, 4);
    CHECK_EQ(fdt_property_cell(&fdt, gic, "interrupts", 3, &cell), NOT_FOUND);
    CHECK(fdt_property(&fdt, gic, "interrupt-controller", &length) != NULL);
    CHECK_EQ(length, 0);
    CHECK_EQ(fdt_property_u32(&fdt, gic, "phandle", &phandle), OPAL_OK);
    CHECK_EQ(fdt_property_u32(&fdt, 0, "interrupt-parent", &parent), OPAL_OK);
    CHECK_EQ(phandle, parent);
}

TEST(virt_timer)
{
    /* Secure, non-secure physical, virtual and hypervisor timer PPIs. */
    static const uint32_t expected[12] = { 1, 13, 0x104, 1, 14, 0x104, 1, 11, 0x104, 1, 10, 0x104 };
    struct fdt fdt;
    uint32_t cell = 0, length = 0;
    struct blob b = virt();

    CHECK(b.data != NULL);
    CHECK_EQ(fdt_open(&fdt, b.data, b.size), OPAL_OK);
    int timer = fdt_node_by_compatible(&fdt, -1, "arm,armv7-timer");
    CHECK(timer > 0);
    CHECK_EQ(fdt_path_offset(&fdt, "/timer"), timer);
    CHECK(fdt_property(&fdt, timer, "interrupts", &length) != NULL);
    CHECK_EQ(length, 48);
    for (unsigned i = 0; i < 12; i++) {
        CHECK_EQ(fdt_property_cell(&fdt, timer, "interrupts", i, &cell), OPAL_OK);
        CHECK_EQ(cell, expected[i]);
    }
    CHECK_EQ(fdt_property_cell(&fdt, timer, "interrupts", 12, &cell), NOT_FOUND);
    CHECK_EQ(fdt_property_u32(&fdt, timer, "interrupts", &cell), MALFORMED);
    CHECK_EQ(fdt_reg(&fdt, timer, 0, NULL, NULL), NOT_FOUND);
}

TEST(virt_chosen)
{
    struct fdt fdt;
    uint32_t length = 0;
    struct blob b = virt();

    CHECK(b.data != NULL);
    CHECK_EQ(fdt_open(&fdt, b.data, b.size), OPAL_OK);
    int chosen = fdt_path_offset(&fdt, "/chosen");
    CHECK(chosen > 0);
    const char *stdout_path = fdt_property(&fdt, chosen, "stdout-path", &length);
    CHECK_STR(stdout_path, "/pl011@9000000");
    CHECK_EQ(length, sizeof "/pl011@9000000");
    CHECK_EQ(fdt_path_offset(&fdt, stdout_path), fdt_node_by_compatible(&fdt, -1, "arm,pl011"));
    CHECK(fdt_property(&fdt, chosen, "bootargs", &length) == NULL);
    CHECK_EQ(length, 0);
}

TEST(virt_parents)
{
    struct fdt fdt;
    uint64_t address = 0, size = 99;
    struct blob b = virt();

    CHECK(b.data != NULL);
    CHECK_EQ(fdt_open(&fdt, b.data, b.size), OPAL_OK);
    int gic = fdt_path_offset(&fdt, "/intc");
    int v2m = fdt_path_offset(&fdt, "/intc/v2m");
    CHECK(gic > 0 && v2m > gic);
    CHECK_EQ(fdt_node_by_compatible(&fdt, -1, "arm,gic-v2m-frame"), v2m);
    CHECK_EQ(fdt_parent(&fdt, v2m), gic);
    CHECK_EQ(fdt_parent(&fdt, gic), 0);
    CHECK_EQ(fdt_parent(&fdt, 0), NOT_FOUND);
    /* Decoded with the GIC's own #address-cells/#size-cells = 2/2. */
    CHECK_EQ(fdt_reg(&fdt, v2m, 0, &address, &size), OPAL_OK);
    CHECK_EQ(address, 0x08020000);
    CHECK_EQ(size, 0x1000);

    int cpus = fdt_path_offset(&fdt, "/cpus");
    int core = fdt_path_offset(&fdt, "/cpus/cpu-map/socket0/cluster0/core0");
    CHECK(cpus > 0 && core > cpus);
    int up = fdt_parent(&fdt, fdt_parent(&fdt, fdt_parent(&fdt, core)));
    CHECK_STR(fdt_node_name(&fdt, up), "cpu-map");
    CHECK_EQ(fdt_parent(&fdt, up), cpus);
    /* /cpus has #size-cells = 0: a cpu's reg is an address only. */
    int cpu = fdt_path_offset(&fdt, "/cpus/cpu");
    CHECK_STR(fdt_node_name(&fdt, cpu), "cpu@0");
    CHECK_EQ(fdt_reg(&fdt, cpu, 0, &address, &size), OPAL_OK);
    CHECK_EQ(address, 0);
    CHECK_EQ(size, 0);
}

TEST(virt_walk)
{
    struct fdt fdt;
    int depth = -1, node = -1, count = 0, virtio = 0;
    struct blob b = virt();

    CHECK(b.data != NULL);
    CHECK_EQ(fdt_open(&fdt, b.data, b.size), OPAL_OK);
    while ((node = fdt_next_node(&fdt, node, &depth)) >= 0) {
        CHECK(fdt_node_name(&fdt, node) != NULL);
        CHECKF(depth >= 0 && (depth == 0) == (node == 0), "node %d at depth %d", node, depth);
        if (node != 0) {
            int parent = fdt_parent(&fdt, node);
            CHECKF(parent >= 0 && parent < node, "node %d: parent %d", node, parent);
        }
        count++;
    }
    CHECK_EQ(node, NOT_FOUND);
    CHECK(count > 50);
    for (node = -1; (node = fdt_node_by_compatible(&fdt, node, "virtio,mmio")) >= 0;)
        virtio++;
    CHECK_EQ(node, NOT_FOUND);
    CHECK_EQ(virtio, 32);
}

/* ---- the hand-written fixture ---- */

TEST(fixture_names_and_paths)
{
    struct fdt fdt;
    struct blob b = fixture();

    CHECKF(b.data != NULL, "cannot read the fixture DTB (argument 2): %s", unit_arg(2));
    CHECK_EQ(fdt_open(&fdt, b.data, b.size), OPAL_OK);
    int soc = fdt_path_offset(&fdt, "/soc");
    int uart1 = fdt_path_offset(&fdt, "/soc/uart@1000");
    int uart2 = fdt_path_offset(&fdt, "/soc/uart@2000");
    CHECK(soc > 0 && uart1 > soc && uart2 > uart1);
    CHECK_EQ(fdt_path_offset(&fdt, "/soc/uart"), uart1); /* the first match */
    CHECK_STR(fdt_node_name(&fdt, fdt_path_offset(&fdt, "/soc/uartx")), "uartx");
    CHECK_EQ(fdt_path_offset(&fdt, "//soc//uart@2000/"), uart2);
    CHECK_EQ(fdt_path_offset(&fdt, "/soc/uart@20"), NOT_FOUND);
    CHECK_EQ(fdt_path_offset(&fdt, "/soc/uar"), NOT_FOUND);
    CHECK_EQ(fdt_path_offset(&fdt, "/soc/uart@1000/x"), NOT_FOUND);
    CHECK_EQ(fdt_path_offset(&fdt, "/nosuch"), NOT_FOUND);
    CHECK_EQ(fdt_path_offset(&fdt, "/deep/a/c"), NOT_FOUND);
    CHECK_EQ(fdt_path_offset(&fdt, "/uart@1000"), NOT_FOUND); /* not a child of / */
    CHECK_EQ(fdt_path_offset(&fdt, "/soc/fits"), NOT_FOUND);   /* a child of /wide */
    CHECK_EQ(fdt_path_offset(&fdt, "/chosen/uart"), NOT_FOUND); /* a child of /soc */
    CHECK_EQ(fdt_path_offset(&fdt, "soc"), INVALID);
    CHECK_EQ(fdt_path_offset(&fdt, ""), INVALID);
    CHECK_EQ(fdt_path_offset(&fdt, NULL), INVALID);
    CHECK_EQ(fdt_path_offset(NULL, "/"), INVALID);

    uint32_t marker = 0;
    int leaf = fdt_path_offset(&fdt, "/deep/a/b/c/leaf");
    CHECK(leaf > 0);
    CHECK_EQ(fdt_property_u32(&fdt, leaf, "marker", &marker), OPAL_OK);
    CHECK_EQ(marker, 42);
    CHECK_STR(fdt_node_name(&fdt, fdt_parent(&fdt, leaf)), "c");
    CHECK_EQ(fdt_parent(&fdt, uart2), soc);
    CHECK_EQ(fdt_parent(&fdt, soc), 0);

    int chosen = fdt_path_offset(&fdt, "/chosen");
    CHECK_STR(fdt_property(&fdt, chosen, "bootargs", NULL), "console=ttyAMA0 quiet");
    CHECK_EQ(fdt_path_offset(&fdt, fdt_property(&fdt, chosen, "stdout-path", NULL)), uart1);
}

TEST(fixture_next_node_depth)
{
    struct fdt fdt;
    struct blob b = fixture();
    static const char *const names[] = { "deep", "a", "b", "c", "leaf" };

    CHECK(b.data != NULL);
    CHECK_EQ(fdt_open(&fdt, b.data, b.size), OPAL_OK);
    int depth = -1;
    CHECK_EQ(fdt_next_node(&fdt, -1, &depth), 0);
    CHECK_EQ(depth, 0);
    int node = fdt_next_node(&fdt, 0, &depth);
    CHECK_STR(fdt_node_name(&fdt, node), "chosen");
    CHECK_EQ(depth, 1);
    CHECK_STR(fdt_node_name(&fdt, fdt_next_node(&fdt, node, &depth)), "defaults@100000002");
    CHECK_EQ(depth, 1); /* a sibling */

    node = fdt_path_offset(&fdt, "/nosize/item");
    depth = 2;
    node = fdt_next_node(&fdt, node, &depth);
    CHECK_STR(fdt_node_name(&fdt, node), "badcells");
    CHECK_EQ(depth, 1); /* an uncle */

    node = fdt_path_offset(&fdt, "/props");
    depth = 1;
    for (unsigned i = 0; i < 5; i++) {
        node = fdt_next_node(&fdt, node, &depth);
        CHECK_STR(fdt_node_name(&fdt, node), names[i]);
        CHECK_EQ(depth, (int)i + 1);
    }
    /* Past the last node: five END_NODEs then FDT_END. */
    CHECK_EQ(fdt_next_node(&fdt, node, &depth), NOT_FOUND);
    CHECK_EQ(depth, -1);
    CHECK_EQ(fdt_next_node(&fdt, node, NULL), NOT_FOUND);
}

TEST(fixture_properties)
{
    struct fdt fdt;
    uint32_t value = 0, length = 99;
    struct blob b = fixture();

    CHECK(b.data != NULL);
    CHECK_EQ(fdt_open(&fdt, b.data, b.size), OPAL_OK);
    CHECK_STR(fdt_property(&fdt, 0, "model", NULL), "opal,fixture");
    CHECK_EQ(fdt_stringlist_contains(&fdt, 0, "compatible", "opal,base"), 1);
    CHECK_EQ(fdt_stringlist_contains(&fdt, 0, "compatible", "opal,fixture-board"), 1);
    CHECK_EQ(fdt_stringlist_contains(&fdt, 0, "compatible", "opal"), 0);
    CHECK_EQ(fdt_stringlist_contains(&fdt, 0, "no-such", "opal,base"), 0);

    int props = fdt_path_offset(&fdt, "/props");
    CHECK(props > 0);
    CHECK(fdt_property(&fdt, props, "empty", &length) != NULL);
    CHECK_EQ(length, 0);
    CHECK_EQ(fdt_property_u32(&fdt, props, "empty", &value), MALFORMED);
    CHECK_EQ(fdt_stringlist_contains(&fdt, props, "empty", "x"), 0);
    CHECK_EQ(fdt_property_u32(&fdt, props, "u32", &value), OPAL_OK);
    CHECK_EQ(value, 0x12345678);
    CHECK_EQ(fdt_property_u32(&fdt, props, "u64", &value), MALFORMED);
    CHECK_EQ(fdt_property_cell(&fdt, props, "u64", 1, &value), OPAL_OK);
    CHECK_EQ(value, 2);
    CHECK_EQ(fdt_property_cell(&fdt, props, "u64", 2, &value), NOT_FOUND);
    CHECK_EQ(fdt_property_cell(&fdt, props, "odd", 0, &value), MALFORMED);
    CHECK_EQ(fdt_property_u32(&fdt, props, "missing", &value), NOT_FOUND);
    CHECK_EQ(fdt_property_cell(&fdt, props, "missing", 0, &value), NOT_FOUND);
    CHECK(fdt_property(&fdt, props, "missing", &length) == NULL);
    CHECK_EQ(length, 0);
    CHECK_EQ(fdt_stringlist_contains(&fdt, props, "strings", "bc"), 1);
    CHECK_EQ(fdt_stringlist_contains(&fdt, props, "strings", ""), 1);
    CHECK_EQ(fdt_stringlist_contains(&fdt, props, "strings", "b"), 0);
    CHECK_EQ(fdt_stringlist_contains(&fdt, props, "unterminated", "abc"), MALFORMED);
    /* Properties of a child are not the parent's. */
    CHECK_EQ(fdt_property_u32(&fdt, fdt_path_offset(&fdt, "/deep/a/b/c"), "marker", &value),
             NOT_FOUND);
}

TEST(fixture_compatible_search)
{
    struct fdt fdt;
    struct blob b = fixture();

    CHECK(b.data != NULL);
    CHECK_EQ(fdt_open(&fdt, b.data, b.size), OPAL_OK);
    CHECK_EQ(fdt_node_by_compatible(&fdt, -1, "opal,base"), 0); /* the root itself */
    int first = fdt_node_by_compatible(&fdt, -1, "ns16550a");
    CHECK_EQ(first, fdt_path_offset(&fdt, "/soc/uart@1000"));
    int second = fdt_node_by_compatible(&fdt, first, "ns16550a");
    CHECK_EQ(second, fdt_path_offset(&fdt, "/soc/uart@2000"));
    CHECK_EQ(fdt_node_by_compatible(&fdt, second, "ns16550a"), NOT_FOUND);
    CHECK_EQ(fdt_node_by_compatible(&fdt, -1, "no,such"), NOT_FOUND);
    CHECK_EQ(fdt_node_by_compatible(&fdt, -1, NULL), INVALID);
}

TEST(fixture_reg)
{
    struct fdt fdt;
    uint64_t address = 0, size = 0;
    struct blob b = fixture();

    CHECK(b.data != NULL);
    CHECK_EQ(fdt_open(&fdt, b.data, b.size), OPAL_OK);
    /* Root without #address-cells: defaults 2 and 1. */
    CHECK_EQ(fdt_reg(&fdt, fdt_path_offset(&fdt, "/defaults"), 0, &address, &size), OPAL_OK);
    CHECK_EQ(address, 0x100000002ull);
    CHECK_EQ(size, 3);
    CHECK_EQ(fdt_reg(&fdt, fdt_path_offset(&fdt, "/soc/uart@1000"), 0, &address, &size), OPAL_OK);
    CHECK_EQ(address, 0x1000);
    CHECK_EQ(size, 0x100);
    int uart2 = fdt_path_offset(&fdt, "/soc/uart@2000");
    CHECK_EQ(fdt_reg(&fdt, uart2, 1, &address, &size), OPAL_OK);
    CHECK_EQ(address, 0x3000);
    CHECK_EQ(size, 0x200);
    CHECK_EQ(fdt_reg(&fdt, uart2, 2, &address, &size), NOT_FOUND);
    CHECK_EQ(fdt_reg(&fdt, uart2, 0, NULL, &size), OPAL_OK);
    CHECK_EQ(size, 0x100);
    CHECK_EQ(fdt_reg(&fdt, fdt_path_offset(&fdt, "/soc/uartx"), 0, &address, &size), NOT_FOUND);
    CHECK_EQ(fdt_reg(&fdt, fdt_path_offset(&fdt, "/soc/short"), 0, &address, &size), MALFORMED);
    /* Three address cells whose top one is zero still fit in 64 bits. */
    CHECK_EQ(fdt_reg(&fdt, fdt_path_offset(&fdt, "/wide/fits"), 0, &address, &size), OPAL_OK);
    CHECK_EQ(address, 0x100000002ull);
    CHECK_EQ(size, 0x10);
    CHECK_EQ(fdt_reg(&fdt, fdt_path_offset(&fdt, "/wide/big"), 0, &address, &size), MALFORMED);
    CHECK_EQ(fdt_reg(&fdt, fdt_path_offset(&fdt, "/nosize/item@7"), 0, &address, &size), OPAL_OK);
    CHECK_EQ(address, 7);
    CHECK_EQ(size, 0);
    CHECK_EQ(fdt_reg(&fdt, fdt_path_offset(&fdt, "/badcells/child"), 0, &address, &size),
             MALFORMED);
    CHECK_EQ(fdt_reg(&fdt, 0, 0, &address, &size), NOT_FOUND);
}

TEST(bad_arguments)
{
    struct fdt fdt;
    uint32_t value;
    uint64_t address;
    struct blob b = fixture();

    CHECK(b.data != NULL);
    CHECK_EQ(fdt_open(NULL, b.data, b.size), OPAL_ERR_INVALID_ARGUMENT);
    CHECK_EQ(fdt_open(&fdt, NULL, b.size), OPAL_ERR_INVALID_ARGUMENT);
    CHECK_EQ(fdt_open(&fdt, b.data, b.size), OPAL_OK);
    int props = fdt_path_offset(&fdt, "/props");
    int token = (int)property_token(&fdt, props, "u32");
    /* Offsets that are not nodes: misaligned, a property, a name, past the end. */
    const int bad[] = { -2, 1, 4, token, (int)fdt.struct_size, (int)fdt.struct_size + 4, 0x7ffffffc };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int depth = 0;
        CHECKF(fdt_next_node(&fdt, bad[i], &depth) == INVALID, "next_node(%d)", bad[i]);
        CHECKF(fdt_parent(&fdt, bad[i]) == INVALID, "parent(%d)", bad[i]);
        CHECKF(fdt_node_name(&fdt, bad[i]) == NULL, "node_name(%d)", bad[i]);
        CHECKF(fdt_property(&fdt, bad[i], "u32", NULL) == NULL, "property(%d)", bad[i]);
        CHECKF(fdt_property_u32(&fdt, bad[i], "u32", &value) == INVALID, "u32(%d)", bad[i]);
        CHECKF(fdt_reg(&fdt, bad[i], 0, &address, NULL) == INVALID, "reg(%d)", bad[i]);
        CHECKF(fdt_node_by_compatible(&fdt, bad[i], "x") == INVALID, "compatible(%d)", bad[i]);
    }
    CHECK_EQ(fdt_next_node(NULL, -1, NULL), INVALID);
    CHECK_EQ(fdt_parent(NULL, 0), INVALID);
    CHECK_EQ(fdt_property_u32(&fdt, 0, NULL, &value), INVALID);
    CHECK_EQ(fdt_stringlist_contains(&fdt, 0, "compatible", NULL), INVALID);

    /* A misaligned offset whose bytes read as FDT_BEGIN_NODE "a" (planted in
     * a property value): still not a node. */
    uint8_t *copy = unit_copy(b.data, b.size);
    CHECK_EQ(fdt_open(&fdt, copy, b.size), OPAL_OK);
    uint8_t *u64 = (uint8_t *)fdt_property(&fdt, props, "u64", NULL);
    CHECK(u64 != NULL);
    memcpy(u64, "\0\0\0\0\0\x01" "a", 8);
    int planted = (int)(u64 - copy - fdt.struct_offset) + 2;
    CHECK_EQ(fdt_next_node(&fdt, planted, NULL), INVALID);
    CHECK_EQ(fdt_parent(&fdt, planted), INVALID);
    CHECK(fdt_node_name(&fdt, planted) == NULL);
    free(copy);
}

TEST(nop_tokens)
{
    struct fdt fdt;
    uint32_t value;
    size_t size;
    struct blob b = fixture();
    int result, before;

    CHECK(b.data != NULL);
    uint8_t *copy = compact_copy(b, &size);
    CHECK_EQ(fdt_open(&fdt, copy, size), OPAL_OK);
    before = count_nodes(&fdt, &result);
    CHECK_EQ(result, NOT_FOUND);

    /* NOP out the root's first property, "model", as libfdt's nop_property does. */
    uint32_t length = 0;
    CHECK(fdt_property(&fdt, 0, "model", &length) != NULL);
    uint32_t token = property_token(&fdt, 0, "model");
    for (uint32_t i = 0; i < 12 + ((length + 3) & ~3u); i += 4)
        put_be32(struct_at(&fdt, copy, token + i), 4);
    CHECK_EQ(fdt_property_u32(&fdt, 0, "model", &value), NOT_FOUND);
    CHECK_EQ(fdt_stringlist_contains(&fdt, 0, "compatible", "opal,base"), 1);
    CHECK_EQ(count_nodes(&fdt, &result), before);
    CHECK_EQ(result, NOT_FOUND);

    /* NOP out a whole node: /deep/a/b/c/leaf is BEGIN, name, one u32 property, END. */
    int leaf = fdt_path_offset(&fdt, "/deep/a/b/c/leaf");
    const uint8_t *marker = fdt_property(&fdt, leaf, "marker", NULL);
    CHECK(leaf > 0 && marker != NULL);
    uint32_t end = (uint32_t)(marker - copy) - fdt.struct_offset + 4 + 4;
    CHECK_EQ(be32(struct_at(&fdt, copy, end - 4)), 2); /* its END_NODE */
    for (uint32_t i = (uint32_t)leaf; i < end; i += 4)
        put_be32(struct_at(&fdt, copy, i), 4);
    CHECK_EQ(fdt_path_offset(&fdt, "/deep/a/b/c/leaf"), NOT_FOUND);
    CHECK(fdt_path_offset(&fdt, "/deep/a/b/c") > 0);
    CHECK(fdt_node_name(&fdt, leaf) == NULL);
    CHECK_EQ(count_nodes(&fdt, &result), before - 1);
    CHECK_EQ(result, NOT_FOUND);
    free(copy);
}

/* ---- malformed headers ---- */

struct header_case {
    const char *what;
    int field;
    uint32_t value; /* absolute, or added to the field when relative */
    bool relative;
};

TEST(malformed_headers)
{
    struct fdt fdt;
    struct blob b = fixture();

    CHECK(b.data != NULL);
    size_t size = b.size;
    uint32_t off_struct = header(b.data, HDR_OFF_STRUCT);
    const struct header_case cases[] = {
        { "magic", HDR_MAGIC, 0xd00dfeee, false },
        { "totalsize past max_size", HDR_TOTALSIZE, 1, true },
        { "totalsize inside the header", HDR_TOTALSIZE, 39, false },
        { "totalsize huge", HDR_TOTALSIZE, 0xffffffff, false },
        { "version 16", HDR_VERSION, 16, false },
        { "last compatible version 18", HDR_LAST_COMP_VERSION, 18, false },
        { "structure block misaligned", HDR_OFF_STRUCT, 2, true },
        { "structure block over the header", HDR_OFF_STRUCT, 36, false },
        { "structure block at 0", HDR_OFF_STRUCT, 0, false },
        { "structure block past the end", HDR_SIZE_STRUCT, (uint32_t)size - off_struct + 1, false },
        { "structure size wraps", HDR_SIZE_STRUCT, 0xffffffff, false },
        { "strings offset wraps", HDR_OFF_STRINGS, 0xfffffff0, false },
        { "strings block past the end", HDR_SIZE_STRINGS, 1, true },
        { "strings over the structure", HDR_OFF_STRINGS, off_struct, false },
        { "strings over the header", HDR_OFF_STRINGS, 8, false },
        { "reserve map in the header", HDR_OFF_RSVMAP, 8, false },
        { "reserve map misaligned", HDR_OFF_RSVMAP, 4, true },
        { "reserve map past the end", HDR_OFF_RSVMAP, ((uint32_t)size - 8) & ~7u, false },
    };

    /* Sanity: the fixture itself is fine, with exactly its size and no less. */
    CHECK_EQ(header(b.data, HDR_TOTALSIZE), size);
    CHECK_EQ(fdt_open(&fdt, b.data, size), OPAL_OK);
    CHECK_EQ(fdt_open(&fdt, b.data, size - 1), OPAL_ERR_MALFORMED);
    /* A misaligned structure block, shrunk so that it overlaps nothing; moved
     * by 4 instead it opens, so alignment alone is what fails. */
    for (uint32_t shift = 1; shift <= 4; shift++) {
        uint8_t *moved = unit_copy(b.data, size);
        set_header(moved, HDR_OFF_STRUCT, off_struct + shift);
        set_header(moved, HDR_SIZE_STRUCT, header(moved, HDR_SIZE_STRUCT) - 4);
        int err = fdt_open(&fdt, moved, size);
        free(moved);
        CHECKF(err == (shift == 4 ? OPAL_OK : OPAL_ERR_MALFORMED), "struct moved by %u: %d", shift, err);
    }
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct header_case *c = &cases[i];
        uint8_t *copy = unit_copy(b.data, size);
        uint32_t value = c->relative ? header(copy, c->field) + c->value : c->value;
        set_header(copy, c->field, value);
        int err = fdt_open(&fdt, copy, size);
        free(copy);
        CHECKF(err == OPAL_ERR_MALFORMED, "%s (%#x): got %d", c->what, value, err);
    }
    /* Above the 1 GiB cap, even if the caller claims the room (nothing past
     * the header is read by fdt_open). */
    uint8_t *huge = unit_copy(b.data, size);
    set_header(huge, HDR_TOTALSIZE, 0x40000001);
    CHECK_EQ(fdt_open(&fdt, huge, 0x40000001), OPAL_ERR_MALFORMED);
    free(huge);
    for (size_t max = 0; max < 40; max++) {
        uint8_t *copy = unit_copy(b.data, max);
        int err = fdt_open(&fdt, copy, max);
        free(copy);
        CHECKF(err == OPAL_ERR_MALFORMED, "max_size %zu: got %d", max, err);
    }
}

/* ---- malformed structure and strings blocks ---- */

/* A fresh exact-size copy of the fixture, opened. */
static uint8_t *open_copy(struct fdt *fdt)
{
    size_t size;
    uint8_t *copy = compact_copy(fixture(), &size);
    return fdt_open(fdt, copy, size) == OPAL_OK ? copy : NULL;
}

TEST(property_length_past_block)
{
    struct fdt fdt;
    uint32_t value;
    int result;

    CHECK(fixture().data != NULL);
    uint8_t *copy = open_copy(&fdt);
    CHECK(copy != NULL);
    int props = fdt_path_offset(&fdt, "/props");
    uint32_t token = property_token(&fdt, props, "u32");
    uint32_t room = fdt.struct_size - (token + 12); /* the most the value could have */
    const uint32_t lengths[] = { room + 1, 0x7fffffff, 0xfffffff0, 0xffffffff };

    for (unsigned i = 0; i < 4; i++) {
        put_be32(struct_at(&fdt, copy, token + 4), lengths[i]);
        CHECKF(fdt_property(&fdt, props, "u32", NULL) == NULL, "length %#x", lengths[i]);
        CHECK_EQ(fdt_property_u32(&fdt, props, "u32", &value), MALFORMED);
        CHECK_EQ(fdt_property_u32(&fdt, props, "odd", &value), MALFORMED); /* after it */
        CHECK(fdt_property(&fdt, props, "empty", NULL) != NULL);          /* before it */
        count_nodes(&fdt, &result);
        CHECK_EQ(result, MALFORMED);
    }
    /* A length reaching exactly the end of the block is no over-read: the walk
     * then finds no FDT_END. */
    put_be32(struct_at(&fdt, copy, token + 4), room);
    CHECK(fdt_property(&fdt, props, "u32", NULL) != NULL);
    count_nodes(&fdt, &result);
    CHECK_EQ(result, MALFORMED);
    free(copy);
}

TEST(bad_tokens)
{
    static const uint32_t tokens[] = { 0, 5, 8, 10, 0x01000000, 0xffffffff };
    struct fdt fdt;
    uint32_t value;
    int result;

    CHECK(fixture().data != NULL);
    uint8_t *copy = open_copy(&fdt);
    CHECK(copy != NULL);
    int props = fdt_path_offset(&fdt, "/props");
    int leaf = fdt_path_offset(&fdt, "/deep/a/b/c/leaf");
    uint32_t token = property_token(&fdt, props, "u32");
    for (unsigned i = 0; i < sizeof tokens / sizeof tokens[0]; i++) {
        put_be32(struct_at(&fdt, copy, token), tokens[i]);
        CHECKF(fdt_property_u32(&fdt, props, "odd", &value) == MALFORMED, "token %#x", tokens[i]);
        CHECK_EQ(count_nodes(&fdt, &result), 16); /* the nodes up to /props */
        CHECK_EQ(result, MALFORMED);
        CHECK_EQ(fdt_path_offset(&fdt, "/deep/a/b/c/leaf"), MALFORMED);
        CHECK_EQ(fdt_parent(&fdt, leaf), MALFORMED);
    }
    free(copy);
}

TEST(name_offsets)
{
    struct fdt fdt;
    uint32_t value;
    int result;

    CHECK(fixture().data != NULL);
    uint8_t *copy = open_copy(&fdt);
    CHECK(copy != NULL);
    int props = fdt_path_offset(&fdt, "/props");
    uint32_t token = property_token(&fdt, props, "u32");
    const uint32_t bad[] = { fdt.strings_size, fdt.strings_size + 1, 0x80000000, 0xffffffff };
    for (unsigned i = 0; i < 4; i++) {
        put_be32(struct_at(&fdt, copy, token + 8), bad[i]);
        CHECKF(fdt_property_u32(&fdt, props, "u32", &value) == MALFORMED, "nameoff %#x", bad[i]);
        count_nodes(&fdt, &result);
        CHECK_EQ(result, MALFORMED);
    }
    /* The strings block's final NUL is a valid, empty name. */
    put_be32(struct_at(&fdt, copy, token + 8), fdt.strings_size - 1);
    CHECK_EQ(fdt_property_u32(&fdt, props, "", &value), OPAL_OK);
    CHECK_EQ(value, 0x12345678);
    count_nodes(&fdt, &result);
    CHECK_EQ(result, NOT_FOUND);

    /* A strings block one byte short leaves its last name unterminated. */
    free(copy);
    copy = open_copy(&fdt);
    CHECK(copy != NULL);
    set_header(copy, HDR_SIZE_STRINGS, fdt.strings_size - 1);
    CHECK_EQ(fdt_open(&fdt, copy, fdt.size), OPAL_OK);
    count_nodes(&fdt, &result);
    CHECK_EQ(result, MALFORMED);
    free(copy);
}

TEST(unbalanced_end_nodes)
{
    struct fdt fdt;
    uint64_t address;
    uint32_t length;

    CHECK(fixture().data != NULL);
    uint8_t *copy = open_copy(&fdt);
    CHECK(copy != NULL);
    /* Replace /chosen's bootargs with two END_NODEs (then NOPs): /chosen and
     * the root close early, and the next node lands at depth -1. */
    int chosen = fdt_path_offset(&fdt, "/chosen");
    int defaults = fdt_path_offset(&fdt, "/defaults");
    CHECK(fdt_property(&fdt, chosen, "bootargs", &length) != NULL);
    uint32_t token = property_token(&fdt, chosen, "bootargs");
    for (uint32_t i = 0; i < 12 + ((length + 3) & ~3u); i += 4)
        put_be32(struct_at(&fdt, copy, token + i), i < 8 ? 2 : 4);
    CHECK_EQ(fdt_parent(&fdt, defaults), MALFORMED);
    CHECK_EQ(fdt_reg(&fdt, defaults, 0, &address, NULL), MALFORMED);
    CHECK_EQ(fdt_path_offset(&fdt, "/defaults"), NOT_FOUND);
    CHECK_EQ(fdt_parent(&fdt, chosen), 0);
    free(copy);
}

/* Calls every query on every node reachable by walking. Returns the walk's
 * final result; *surprises counts results outside each call's contract (a
 * node the walk produced must never be refused as "not a node"). */
static int exercise(const struct fdt *fdt, bool deep, int *surprises)
{
    int depth = -1, node = -1;
    uint32_t value, length;
    uint64_t address, size;

    while ((node = fdt_next_node(fdt, node, &depth)) >= 0) {
        int results[6];
        const char *name = fdt_node_name(fdt, node);
        /* strlen: ASan catches a name running off the end of the buffer. */
        *surprises += name == NULL || strlen(name) >= fdt->struct_size;
        fdt_property(fdt, node, "no-such-property", &length); /* scans them all */
        results[0] = fdt_property_cell(fdt, node, "reg", 1, &value);
        results[1] = fdt_stringlist_contains(fdt, node, "compatible", "ns16550a");
        results[2] = fdt_property_u32(fdt, node, "#address-cells", &value);
        results[3] = deep ? fdt_reg(fdt, node, 0, &address, &size) : 0;
        results[4] = deep ? fdt_parent(fdt, node) : 0;
        results[5] = deep ? fdt_node_by_compatible(fdt, node, "ns16550a") : 0;
        if (deep)
            fdt_path_offset(fdt, "/soc/uart/x");
        for (int i = 0; i < 6; i++)
            *surprises += results[i] < 0 && results[i] != MALFORMED && results[i] != NOT_FOUND;
    }
    *surprises += node != MALFORMED && node != NOT_FOUND;
    return node;
}

/* Truncates a compact copy of the blob at every length: fdt_open must refuse
 * the short buffer; then, with the header patched to fit the prefix, walking
 * must report the damage without reading past the exact-size buffer. */
static void truncate_everywhere(struct blob b)
{
    struct fdt fdt;
    size_t full;
    int surprises = 0;
    uint8_t *compact = compact_copy(b, &full);
    uint32_t off_struct = header(compact, HDR_OFF_STRUCT);
    uint32_t off_strings = header(compact, HDR_OFF_STRINGS);

    CHECK(off_struct < off_strings); /* the layout dtc and QEMU produce */
    CHECK_EQ(fdt_open(&fdt, compact, full), OPAL_OK);
    CHECK_EQ(exercise(&fdt, false, &surprises), NOT_FOUND);
    for (size_t length = 0; length < full; length++) {
        uint8_t *copy = unit_copy(compact, length);
        CHECKF(fdt_open(&fdt, copy, length) == OPAL_ERR_MALFORMED, "prefix %zu opened", length);
        if (length >= off_struct) {
            set_header(copy, HDR_TOTALSIZE, (uint32_t)length);
            if (length <= off_strings) {
                set_header(copy, HDR_SIZE_STRUCT, (uint32_t)length - off_struct);
                set_header(copy, HDR_OFF_STRINGS, (uint32_t)length);
                set_header(copy, HDR_SIZE_STRINGS, 0);
            } else {
                set_header(copy, HDR_SIZE_STRINGS, (uint32_t)length - off_strings);
            }
            CHECKF(fdt_open(&fdt, copy, length) == OPAL_OK, "patched prefix %zu", length);
            int result = exercise(&fdt, length % 97 == 0, &surprises);
            CHECKF(result == MALFORMED, "patched prefix %zu: walk gave %d", length, result);
        }
        free(copy);
    }
    CHECK_EQ(surprises, 0);
    free(compact);
}

TEST(truncated_virt)
{
    struct fdt fdt;
    struct blob b = virt();

    CHECK(b.data != NULL);
    /* Every max_size short of totalsize (the whole megabyte QEMU pads to). */
    for (size_t length = 0; length < b.size; length++)
        CHECKF(fdt_open(&fdt, b.data, length) == OPAL_ERR_MALFORMED, "max_size %zu", length);
    truncate_everywhere(b);
}

TEST(truncated_fixture)
{
    CHECK(fixture().data != NULL);
    truncate_everywhere(fixture());
}

static uint32_t rng_state = 0x12345678;

/* Overwrites 1-4 random bytes in [from, to) of a fresh exact-size copy per
 * round and exercises every query. Returns how many rounds saw MALFORMED. */
static int flip_rounds(struct blob b, int rounds, bool header_too, bool deep, int *surprises)
{
    size_t size;
    int malformed = 0;
    uint8_t *compact = compact_copy(b, &size);
    uint32_t from = header_too ? 0 : header(compact, HDR_OFF_STRUCT);
    uint32_t to = header_too ? (uint32_t)size : from + header(compact, HDR_SIZE_STRUCT);

    for (int round = 0; round < rounds; round++) {
        struct fdt fdt;
        uint8_t *copy = unit_copy(compact, size);
        flip_random_bytes(copy, from, to, &rng_state);
        if (fdt_open(&fdt, copy, size) == OPAL_OK)
            malformed += exercise(&fdt, deep, surprises) == MALFORMED;
        else
            malformed++;
        free(copy);
    }
    free(compact);
    return malformed;
}

TEST(random_flips)
{
    int surprises = 0;

    CHECK(fixture().data != NULL && virt().data != NULL);
    int fixture_bad = flip_rounds(fixture(), 3000, false, true, &surprises);
    int whole_bad = flip_rounds(fixture(), 2000, true, true, &surprises);
    int virt_bad = flip_rounds(virt(), 300, false, true, &surprises);
    CHECK_EQ(surprises, 0);
    /* The flips must reach the error paths, not only property values. */
    CHECKF(fixture_bad > 300 && whole_bad > 200 && virt_bad > 30,
           "rounds reporting MALFORMED: %d/3000, %d/2000, %d/300", fixture_bad, whole_bad, virt_bad);
}
