/* Shared by system_parse.c, system_check.c and system_limits.c: error
 * reporting with a node path, the path buffer size, and the checker's
 * helpers. Not for users of core/system.h. */
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

struct checker {
    const struct system *system;
    const struct system_platform *platform;
    struct system_errors *errors;
};

/* The limits that the kernel, init and the VMM enforce at boot, each taken
 * from the header the enforcing code uses (system_limits.c). */
void system_check_limits(struct checker *c);
/* system_check.c: a Linux guest's map and interrupts leave room for the
 * emulated RTC and virtio devices (checked once its kernel is known). */
void system_check_linux_devices(struct checker *c, uint32_t vm_index, const char *path);

/* Where threads run (system_cores.c): each VM's vcpus and cpus, each
 * task's cpu, on cores the platform has, and no core's budgets above it. */
void system_check_cores(struct checker *c);

/* VMs' disks and their drivers (system_disks.c). */
void system_check_disks(struct checker *c);

/* The components' arenas (system_arena_size) and channel regions against
 * the platform's free RAM; files NULL while their sizes are not known. */
void system_check_memory(struct checker *c, const struct system_files *files);

/* Components by index: VMs first, then tasks. */
const struct system_component *system_component_at(const struct system *system, uint32_t i);
uint32_t system_component_count(const struct system *system);
/* "/vms/<name>" or "/tasks/<name>" into path (SYSTEM_PATH_MAX bytes). */
void system_component_path(const struct system *system, uint32_t i, char *path);
/* Index of the VM or task of that name, or -1. */
int system_find_component(const struct system *system, const char *name);
bool system_page_aligned(uint32_t value);
/* [a, a + a_size) and [b, b + b_size) overlap, ends computed in 64 bits. */
bool system_ranges_overlap(uint32_t a, uint32_t a_size, uint32_t b, uint32_t b_size);

#endif
