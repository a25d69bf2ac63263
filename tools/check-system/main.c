/* check-system: the build-time checker of a system description. It reads the
 * DTB dtc compiled from configs/<name>.dts and runs the same parser and rules
 * as init (lib/core/system.c) against QEMU virt's figures, so a bad
 * description fails the build with the words init would print at boot.
 *
 *   check-system FILE.dtb [--source FILE.dts]
 *
 * Each error is printed as "<source>: <node path>: <what is wrong>" (the
 * source defaults to the DTB's name); the exit status is 1 if there was any,
 * 2 if the file cannot be read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/system.h"

#define MAX_BLOB_SIZE (1u << 20)   /* a description is a few KiB */

static void print_error(void *context, const char *message)
{
    fprintf(stderr, "%s: %s\n", (const char *)context, message);
}

/* The whole file, or NULL (and why, on stderr). */
static unsigned char *read_blob(const char *path, uint32_t *size)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        perror(path);
        return NULL;
    }
    unsigned char *blob = malloc(MAX_BLOB_SIZE);
    size_t length = blob != NULL ? fread(blob, 1, MAX_BLOB_SIZE, file) : 0;
    int broken = blob == NULL || ferror(file) || !feof(file);
    fclose(file);
    if (broken) {
        fprintf(stderr, "%s: cannot read it, or it is larger than %u bytes\n", path,
                MAX_BLOB_SIZE);
        free(blob);
        return NULL;
    }
    *size = (uint32_t)length;
    return blob;
}

int main(int argc, char **argv)
{
    const char *dtb = NULL, *source = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--source") == 0 && i + 1 < argc)
            source = argv[++i];
        else if (dtb == NULL && argv[i][0] != '-')
            dtb = argv[i];
        else
            dtb = NULL, i = argc;
    }
    if (dtb == NULL) {
        fprintf(stderr, "usage: check-system FILE.dtb [--source FILE.dts]\n");
        return 2;
    }
    uint32_t size;
    unsigned char *blob = read_blob(dtb, &size);
    if (blob == NULL)
        return 2;
    struct system_platform platform;
    system_platform_qemu_virt(&platform);
    /* Static: struct system holds every name and bootargs, several KiB. */
    static struct system system;
    unsigned errors = system_load(&system, blob, size, &platform, print_error,
                                  (void *)(source != NULL ? source : dtb));
    free(blob);
    return errors == 0 ? 0 : 1;
}
