/* A small, bounds-checked reader for flattened device trees (DTB, version 17).
 * Freestanding: used by the kernel (platform discovery) and by user level. */
#ifndef CORE_FDT_H
#define CORE_FDT_H

#include <stddef.h>
#include <stdint.h>

struct fdt {
    const uint8_t *blob;      /* start of the DTB */
    uint32_t size;            /* totalsize, already checked against the caller's limit */
    uint32_t struct_offset;   /* structure block, relative to blob */
    uint32_t struct_size;
    uint32_t strings_offset;  /* strings block, relative to blob */
    uint32_t strings_size;
};

/* Validate the header of the DTB at blob, which may be at most max_size bytes
 * long: magic, version, totalsize <= max_size (and <= 1 GiB), blocks inside
 * totalsize, not overlapping the header or each other, the structure block
 * 4-byte aligned. The structure block itself is checked lazily, by each call
 * below. Returns OPAL_OK, OPAL_ERR_MALFORMED, or OPAL_ERR_INVALID_ARGUMENT for
 * a NULL pointer. The blob needs no particular alignment. */
int fdt_open(struct fdt *fdt, const void *blob, size_t max_size);

/* Nodes are named by the offset of their FDT_BEGIN_NODE token in the structure
 * block; the root node is offset 0. Negative return values are -OPAL_ERR_*:
 * -OPAL_ERR_MALFORMED for a broken structure or strings block, and
 * -OPAL_ERR_INVALID_ARGUMENT for a node offset that is not a node (or a NULL
 * pointer argument). */

/* The node after `node` in document order (depth-first), with *depth updated
 * (+1 for a child, same or less for siblings/uncles; depth may be NULL).
 * node -1 starts before the root: the root comes back with *depth + 1.
 * -OPAL_ERR_NOT_FOUND at the end of the tree (FDT_END), -OPAL_ERR_MALFORMED
 * on a broken structure block. FDT_NOP tokens are skipped. */
int fdt_next_node(const struct fdt *fdt, int node, int *depth);

/* The node at an absolute path such as "/chosen" or "/memory@40000000"; a
 * path component without "@unit" matches a node whose name has one (the
 * first such node). -OPAL_ERR_INVALID_ARGUMENT if path does not start with
 * '/' (aliases are not supported). */
int fdt_path_offset(const struct fdt *fdt, const char *path);

/* The first node after `start` (exclusive; pass -1 to search from the root)
 * whose "compatible" list contains `compatible`; -OPAL_ERR_NOT_FOUND if none. */
int fdt_node_by_compatible(const struct fdt *fdt, int start, const char *compatible);

/* The parent of a node; -OPAL_ERR_NOT_FOUND for the root. */
int fdt_parent(const struct fdt *fdt, int node);

/* The node's name including its unit address ("pl011@9000000"), or NULL. */
const char *fdt_node_name(const struct fdt *fdt, int node);

/* A property's value and its length in bytes; NULL if absent or malformed. */
const void *fdt_property(const struct fdt *fdt, int node, const char *name, uint32_t *length);

/* The node's properties in order, for callers that must see every one (to
 * reject unknown names). cursor 0 starts before the first; each call returns
 * a cursor (> 0) to pass back for the next, with the property's name, value
 * and length filled in, -OPAL_ERR_NOT_FOUND after the last, or
 * -OPAL_ERR_MALFORMED. Any cursor is bounds-checked, so a wrong one fails
 * rather than reads outside the blob. */
int fdt_next_property(const struct fdt *fdt, int node, int cursor, const char **name,
                      const void **value, uint32_t *length);

/* A big-endian u32 property; OPAL_OK, -OPAL_ERR_NOT_FOUND, -OPAL_ERR_MALFORMED
 * (also when the property is not exactly 4 bytes). */
int fdt_property_u32(const struct fdt *fdt, int node, const char *name, uint32_t *value);

/* Entry `index` of the node's "reg", decoded with the parent's #address-cells
 * and #size-cells (defaults 2 and 1 per the spec; 1..4 address cells and 0..4
 * size cells, e.g. #size-cells = 0 under /cpus gives size 0). Values above 64
 * bits, a length that is not a whole number of entries or unsupported cell
 * counts give -OPAL_ERR_MALFORMED, a missing property or entry
 * -OPAL_ERR_NOT_FOUND. address or size may be NULL. */
int fdt_reg(const struct fdt *fdt, int node, unsigned index, uint64_t *address, uint64_t *size);

/* Cell `index` (a big-endian u32) of a property, e.g. of "interrupts".
 * -OPAL_ERR_NOT_FOUND past the last cell or without the property,
 * -OPAL_ERR_MALFORMED if the length is not a multiple of 4. */
int fdt_property_cell(const struct fdt *fdt, int node, const char *name, unsigned index,
                      uint32_t *value);

/* Whether a stringlist property (such as "compatible") contains `string`:
 * 1 if it does, 0 if not or if the property is absent, -OPAL_ERR_MALFORMED
 * if the value does not end with a NUL. */
int fdt_stringlist_contains(const struct fdt *fdt, int node, const char *name, const char *string);

#endif
