/* An in-place editor for flattened device trees (DTB, version 17), so a VMM can
 * fill in a guest's memory and /chosen before boot. Freestanding, no allocation. */
#ifndef CORE_FDT_EDIT_H
#define CORE_FDT_EDIT_H

#include <stddef.h>
#include <stdint.h>

/*
 * The blob lives at the start of a buffer of `capacity` bytes (no particular
 * alignment). Every call checks the whole blob first, then rewrites it in
 * place: the bytes after the change move, the header follows, and totalsize
 * grows when the used part no longer fits in it (never beyond capacity; it
 * never shrinks, the freed bytes at the end become zeroed padding). After a
 * successful call the blob is a valid version-17 DTB that lib/core/fdt.c reads.
 *
 * Accepted blobs: what fdt_open() accepts, with the blocks in the standard
 * order (header, memory reservation map, structure block, strings block), the
 * reservation map terminated before the structure block, a structure block
 * that is one root node with balanced nesting, properties before subnodes,
 * and FDT_END as its last token. The reservation map is kept as it is; bytes
 * after the strings block are free space that edits may overwrite.
 *
 * Paths are absolute and looked up like fdt_path_offset(): a component
 * without "@unit" matches the first node whose name has one ("/memory" finds
 * "memory@40000000"). Property names are 1-31 characters of [0-9a-zA-Z,._+?#-]
 * and go into the strings block, reusing an identical string when there is one
 * (strings are never removed). No string or value argument may point into
 * the buffer: moving its bytes would change them under us.
 *
 * Results: OPAL_OK, or
 *   OPAL_ERR_INVALID_ARGUMENT  a NULL or badly formed argument;
 *   OPAL_ERR_MALFORMED         the blob is broken or laid out as above it may not be;
 *   OPAL_ERR_NOT_FOUND         the node (or, for delete, the property) is absent;
 *   OPAL_ERR_TRUNCATED         the result would not fit in capacity.
 * On any error the buffer is left byte-for-byte unchanged.
 */

/* Only the checks every edit makes first: OPAL_OK if the blob is editable. */
int fdt_edit_check(const void *blob, size_t capacity);

/* Creates the property (after the node's last property) or replaces its value
 * in place. value may be NULL when length is 0 (an empty, "boolean" property). */
int fdt_edit_set_property(void *blob, size_t capacity, const char *node_path, const char *name,
                          const void *value, uint32_t length);

/* A string property: value with its terminating NUL. */
int fdt_edit_set_string(void *blob, size_t capacity, const char *node_path, const char *name,
                        const char *value);

/* A property of `count` 32-bit cells, given in host order and stored big-endian
 * (e.g. reg = <base size>). count 0 makes an empty property. */
int fdt_edit_set_cells(void *blob, size_t capacity, const char *node_path, const char *name,
                       const uint32_t *cells, uint32_t count);

/* Adds an empty node `name` ("chosen", "memory@40000000") as the last child of
 * the node at parent_path. OPAL_OK without a change if the parent already has
 * a child of exactly that name. Names are 1-31 characters of [0-9a-zA-Z,._+-],
 * optionally followed by "@" and a unit address of 1-31 such characters. */
int fdt_edit_add_node(void *blob, size_t capacity, const char *parent_path, const char *name);

/* Removes the property; OPAL_ERR_NOT_FOUND if the node has none of that name.
 * Its name stays in the strings block (another property may share it). */
int fdt_edit_delete_property(void *blob, size_t capacity, const char *node_path, const char *name);

#endif
