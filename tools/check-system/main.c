/* check-system: the build-time checker of a system description. It reads the
 * DTB dtc compiled from configs/<name>.dts and runs the same parser and rules
 * as init (lib/core/system.c) against QEMU virt's figures, so a bad
 * description fails the build with the words init would print at boot.
 *
 *   check-system FILE.dtb [--source FILE.dts] [--archive DIR [--prune]]
 *
 * With --archive, every file the description names must also be in DIR (the
 * boot archive's staging directory), as init will look for it there, and fit
 * where init and the VMM put it (system_check_files); the RAM the boot
 * archive itself will take is then not free for components. With
 * --prune, the files in DIR that init will not use are removed (and named):
 * init, system.dtb and console are always used, vmm when there is a VM.
 * Each error is printed as "<source>: <node path>: <what is wrong>" (the
 * source defaults to the DTB's name); the exit status is 1 if there was any,
 * 2 if the file cannot be read. */
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
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

/* The files of the archive directory found so far, mapped read-only. */
#define MAX_MAPPED 64
static struct mapped {
    void *data;
    size_t size;
} mapped[MAX_MAPPED];
static unsigned mapped_count;

/* A plain file of that name directly in the directory, mapped. */
static bool archive_find(void *directory, const char *name, struct system_file *file)
{
    char path[4096];
    struct stat status;
    if (strchr(name, '/') != NULL ||
        snprintf(path, sizeof path, "%s/%s", (const char *)directory, name) >= (int)sizeof path ||
        stat(path, &status) != 0 || !S_ISREG(status.st_mode) || (uint64_t)status.st_size > UINT32_MAX ||
        mapped_count == MAX_MAPPED)
        return false;
    *file = (struct system_file){ "", (uint32_t)status.st_size };
    if (status.st_size == 0)
        return true;
    int fd = open(path, O_RDONLY);
    void *data = fd >= 0 ? mmap(NULL, (size_t)status.st_size, PROT_READ, MAP_PRIVATE, fd, 0)
                         : MAP_FAILED;
    if (fd >= 0)
        close(fd);
    if (data == MAP_FAILED)
        return false;
    mapped[mapped_count++] = (struct mapped){ data, (size_t)status.st_size };
    file->data = data;
    return true;
}

static void unmap_all(void)
{
    for (unsigned i = 0; i < mapped_count; i++)
        munmap(mapped[i].data, mapped[i].size);
    mapped_count = 0;
}

/* What the boot archive made of DIR takes in RAM (it is linked into the
 * kernel's image, and the kernel hands out what is left): each file with a
 * newc header and name, and the trailer. An upper bound: files --prune
 * removes are counted too. */
static uint64_t archive_bytes(const char *directory)
{
    DIR *dir = opendir(directory);
    uint64_t bytes = 512;
    struct dirent *entry;
    while (dir != NULL && (entry = readdir(dir)) != NULL) {
        char path[4096];
        struct stat status;
        snprintf(path, sizeof path, "%s/%s", directory, entry->d_name);
        if (entry->d_name[0] != '.' && stat(path, &status) == 0 && S_ISREG(status.st_mode))
            bytes += (uint64_t)status.st_size + 128 + strlen(entry->d_name);
    }
    if (dir != NULL)
        closedir(dir);
    return bytes;
}

static bool used_by(const struct system *system, const char *name)
{
    static const char *const always[] = { "init", "system.dtb", "console" };
    for (size_t i = 0; i < sizeof always / sizeof always[0]; i++)
        if (strcmp(name, always[i]) == 0)
            return true;
    if (strcmp(name, "vmm") == 0)
        return system->vm_count > 0;
    for (uint32_t i = 0; i < system->vm_count; i++) {
        const struct system_vm *vm = &system->vms[i];
        if (strcmp(name, vm->kernel) == 0 || strcmp(name, vm->initrd) == 0 ||
            strcmp(name, vm->dtb_fragment) == 0)
            return true;
    }
    for (uint32_t i = 0; i < system->task_count; i++)
        if (strcmp(name, system->tasks[i].image) == 0)
            return true;
    return false;
}

/* Removes what init will not use, naming it on stdout; false on an error. */
static bool prune(const struct system *system, const char *directory, const char *source)
{
    DIR *dir = opendir(directory);
    if (dir == NULL) {
        perror(directory);
        return false;
    }
    bool ok = true, first = true;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        char path[4096];
        if (entry->d_name[0] == '.' || used_by(system, entry->d_name))
            continue;
        snprintf(path, sizeof path, "%s/%s", directory, entry->d_name);
        if (unlink(path) != 0) {
            perror(path);
            ok = false;
            continue;
        }
        if (first)
            printf("  left out of the image, unused by %s: %s", source, entry->d_name);
        else
            printf(", %s", entry->d_name);
        first = false;
    }
    if (!first)
        printf("\n");
    closedir(dir);
    return ok;
}

int main(int argc, char **argv)
{
    const char *dtb = NULL, *source = NULL, *archive = NULL;
    bool pruning = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--source") == 0 && i + 1 < argc)
            source = argv[++i];
        else if (strcmp(argv[i], "--archive") == 0 && i + 1 < argc)
            archive = argv[++i];
        else if (strcmp(argv[i], "--prune") == 0)
            pruning = true;
        else if (dtb == NULL && argv[i][0] != '-')
            dtb = argv[i];
        else
            dtb = NULL, i = argc;
    }
    if (dtb == NULL || (pruning && archive == NULL)) {
        fprintf(stderr, "usage: check-system FILE.dtb [--source FILE.dts] [--archive DIR [--prune]]\n");
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
    void *name = (void *)(source != NULL ? source : dtb);
    unsigned errors = system_load(&system, blob, size, &platform, print_error, name);
    static unsigned char scratch[SYSTEM_FILES_SCRATCH];
    struct system_files files = { .find = archive_find, .context = (void *)archive,
                                  .scratch = scratch };
    if (errors == 0 && archive != NULL) {
        /* With the files known, the archive's own RAM is not free either. */
        uint64_t taken = archive_bytes(archive);
        platform.ram_free = taken < platform.ram_free ? platform.ram_free - (uint32_t)taken : 0;
        errors = system_check_files(&system, &platform, &files, print_error, name);
    }
    unmap_all();
    if (errors == 0 && pruning && !prune(&system, archive, name))
        return 2;
    free(blob);
    return errors == 0 ? 0 : 1;
}
