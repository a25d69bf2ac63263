/* Typed access to the properties of a system description's nodes: each
 * node's properties checked against its rules (known names, right types),
 * then read by getters that trust that check. */
#include <stdbool.h>
#include "core/fdt.h"
#include "core/string.h"
#include "core/system_property.h"
#include "opal/error.h"

static const struct property_rule *find_rule(const struct property_rule *rules, uint32_t count,
                                             const char *name)
{
    for (uint32_t i = 0; i < count; i++)
        if (core_strcmp(rules[i].name, name) == 0)
            return &rules[i];
    return NULL;
}

int property_string_count(const char *value, uint32_t length)
{
    int count = 0;
    uint32_t start = 0;
    if (length == 0 || value[length - 1] != '\0')
        return -1;
    for (uint32_t i = 0; i < length; i++)
        if (value[i] == '\0') {
            if (i == start)
                return -1;
            count++;
            start = i + 1;
        }
    return count;
}

static bool type_ok(const struct property_rule *rule, const void *value, uint32_t length)
{
    switch (rule->type) {
    case TYPE_U32:
        return length == 4;
    case TYPE_STRING:
        return length <= rule->max && property_string_count(value, length) == 1;
    case TYPE_CELLS:
        return length > 0 && length % 4 == 0 && length / 4 <= rule->max;
    case TYPE_STRINGS: {
        int count = property_string_count(value, length);
        return count > 0 && (uint32_t)count <= rule->max;
    }
    }
    return false;
}

static void report_type(struct system_errors *errors, const char *path,
                        const struct property_rule *rule, const char *value, uint32_t length)
{
    const char *n = rule->name;
    switch (rule->type) {
    case TYPE_U32:
        system_error(errors, path, "%s must be one 32-bit cell", n);
        break;
    case TYPE_STRING:
        if (length == 1 && value[0] == '\0')
            system_error(errors, path, "%s must not be empty", n);
        else
            system_error(errors, path, "%s must be a string of at most %u characters", n,
                     (unsigned)rule->max - 1);
        break;
    case TYPE_CELLS:
        system_error(errors, path, "%s must be a list of 1 to %u cells", n,
                     (unsigned)rule->max);
        break;
    case TYPE_STRINGS:
        system_error(errors, path, "%s must be a list of 1 to %u strings", n,
                     (unsigned)rule->max);
        break;
    }
}

bool property_check(const struct fdt *fdt, struct system_errors *errors, int node,
                    const char *path, const struct property_rule *rules, uint32_t count)
{
    const char *name;
    const void *value;
    uint32_t length;
    bool ok = true;
    int cursor = 0;
    while ((cursor = fdt_next_property(fdt, node, cursor, &name, &value, &length)) > 0) {
        const struct property_rule *rule = find_rule(rules, count, name);
        if (rule == NULL)
            system_error(errors, path, "unknown property \"%s\"", name);
        else if (!type_ok(rule, value, length))
            report_type(errors, path, rule, value, length);
        else
            continue;
        ok = false;
    }
    if (cursor != -OPAL_ERR_NOT_FOUND) {
        system_error(errors, path, "the device tree blob is malformed here");
        ok = false;
    }
    return ok;
}

uint32_t property_u32(const struct fdt *fdt, int node, const char *name, uint32_t fallback)
{
    uint32_t value;
    return fdt_property_u32(fdt, node, name, &value) == OPAL_OK ? value : fallback;
}

void property_string(const struct fdt *fdt, int node, const char *name, char *to, uint32_t size)
{
    const char *value = fdt_property(fdt, node, name, NULL);
    core_strlcpy(to, value != NULL ? value : "", size);
}

uint32_t property_cells(const struct fdt *fdt, int node, const char *name, uint32_t *to,
                        uint32_t max)
{
    uint32_t count = 0;
    while (count < max && fdt_property_cell(fdt, node, name, count, &to[count]) == OPAL_OK)
        count++;
    return count;
}

void property_list_string(const struct fdt *fdt, int node, const char *name, uint32_t index,
                          char *to, uint32_t size)
{
    uint32_t length;
    const char *value = fdt_property(fdt, node, name, &length);
    uint32_t at = 0;
    for (; value != NULL && at < length && index > 0; at++)
        if (value[at] == '\0')
            index--;
    core_strlcpy(to, value != NULL && at < length ? value + at : "", size);
}

void property_require(const struct fdt *fdt, struct system_errors *errors, int node,
                      const char *path, const char *name)
{
    if (fdt_property(fdt, node, name, NULL) == NULL)
        system_error(errors, path, "missing required property %s", name);
}
