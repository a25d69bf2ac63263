/* Bounds-checked lookup in a "newc" CPIO archive (the boot archive).
 * Freestanding: used by the kernel and by init. */
#ifndef CORE_CPIO_H
#define CORE_CPIO_H

#include <stddef.h>
#include <stdint.h>

struct cpio_file {
    const char *name;     /* points into the archive; NUL-terminated */
    const void *data;
    uint32_t size;
};

/* Archives are read lazily: entries are checked one by one up to the one
 * asked for, so a problem after it goes unnoticed. Directories, symlinks and
 * device nodes are skipped. An archive must end with a "TRAILER!!!" entry.
 * A NULL pointer gives OPAL_ERR_INVALID_ARGUMENT. */

/* Find a regular file by exact name ("init", "dtb/system.dtb").
 * OPAL_OK, OPAL_ERR_NOT_FOUND, or OPAL_ERR_MALFORMED when a header, name or
 * file body runs past the end of the archive, a header is not "070701" or has
 * a non-hex digit, or a name is empty or not NUL-terminated exactly at its
 * namesize. */
int cpio_find(const void *archive, size_t size, const char *name, struct cpio_file *file);

/* The index-th entry (regular files only, in archive order, the "TRAILER!!!"
 * entry excluded). OPAL_OK, OPAL_ERR_NOT_FOUND past the end, OPAL_ERR_MALFORMED. */
int cpio_entry(const void *archive, size_t size, unsigned index, struct cpio_file *file);

#endif
