/* Typed properties for the system description's parser (system_parse.c):
 * each node's properties are checked against a table of rules, then read
 * with getters that trust the check. Internal to lib/core/system*.c. */
#ifndef CORE_SYSTEM_PROPERTY_H
#define CORE_SYSTEM_PROPERTY_H

#include <stdbool.h>
#include "core/fdt.h"
#include "core/system_internal.h"

enum property_type { TYPE_U32, TYPE_STRING, TYPE_CELLS, TYPE_STRINGS };

/* max: for a string its bytes with the NUL; for a list its entries. */
struct property_rule {
    const char *name;
    enum property_type type;
    uint32_t max;
};

#define PROPERTY_RULES(table) table, sizeof table / sizeof table[0]

/* Reports each property of the node that no rule names, or whose value has
 * the wrong type for its rule; false if there was any. */
bool property_check(const struct fdt *fdt, struct system_errors *errors, int node,
                    const char *path, const struct property_rule *rules, uint32_t count);

/* "missing required property <name>" when the node lacks it. */
void property_require(const struct fdt *fdt, struct system_errors *errors, int node,
                      const char *path, const char *name);

/* The number of NUL-terminated strings in value, or -1 if it is not a
 * string list (empty, an empty string, or no NUL at the end). */
int property_string_count(const char *value, uint32_t length);

/* Getters, for properties property_check() accepted: the value, or the
 * fallback ("" / 0 entries) when the property is absent. */
uint32_t property_u32(const struct fdt *fdt, int node, const char *name, uint32_t fallback);
void property_string(const struct fdt *fdt, int node, const char *name, char *to, uint32_t size);
/* Up to max cells into to; returns how many. */
uint32_t property_cells(const struct fdt *fdt, int node, const char *name, uint32_t *to,
                        uint32_t max);
/* String `index` of a string list, copied; "" past the end. */
void property_list_string(const struct fdt *fdt, int node, const char *name, uint32_t index,
                          char *to, uint32_t size);

#endif
