/* The boot archive the kernel mapped for init (a cpio archive: the
 * programs, guest images and system.dtb): finding a file in it by name. */
#include "core/cpio.h"
#include "init.h"

/* OPAL_OK and *file set, or cpio_find's error (OPAL_ERR_NOT_FOUND, or
 * OPAL_ERR_MALFORMED for a damaged archive) with *file untouched. */
int archive_find(const struct opal_bootinfo *bootinfo, const char *name,
                 struct system_file *file)
{
    struct cpio_file found;
    int error = cpio_find((const void *)bootinfo->archive_address, bootinfo->archive_size, name,
                          &found);
    if (error == OPAL_OK)
        *file = (struct system_file){ found.data, found.size };
    return error;
}
