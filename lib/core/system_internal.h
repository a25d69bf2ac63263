/* Shared by system_parse.c and system_check.c: error reporting with a node
 * path, and the path buffer size. Not for users of core/system.h. */
#ifndef CORE_SYSTEM_INTERNAL_H
#define CORE_SYSTEM_INTERNAL_H

#include "core/system.h"

#define SYSTEM_PATH_MAX 72   /* "/channels/" + a 31-character node name, with room */

struct system_errors {
    system_report_fn report;
    void *context;
    unsigned count;
};

/* Reports "<path>: <formatted text>"; past SYSTEM_MAX_ERRORS only counts. */
void system_error(struct system_errors *errors, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reads the blob into *system, reporting what does not parse (unknown nodes
 * and properties, wrong types, too many entries, missing required ones). */
void system_parse(struct system *system, const void *blob, uint32_t blob_size,
                  struct system_errors *errors);

/* The rules between fields and against the platform (overlaps, limits,
 * references), on what system_parse() read. */
void system_check(const struct system *system, const struct system_platform *platform,
                  struct system_errors *errors);

#endif
