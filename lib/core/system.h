/* The system description (docs/configuration.md): a DTB compiled from
 * a configs/ DTS, read into a fixed-size structure and checked against the
 * platform. Freestanding and allocation-free: init uses it at boot and
 * tools/check-system at build time, so both reject a bad description with
 * the same words. */
#ifndef CORE_SYSTEM_H
#define CORE_SYSTEM_H

#include <stdbool.h>
#include <stdint.h>
#include "opal/limits.h"
#include "opal/object.h"
#include "vmm_boot.h"

/* Maxima: exceeding one is itself an error in the description. */
#define SYSTEM_MAX_VMS        4
#define SYSTEM_MAX_TASKS      8
#define SYSTEM_MAX_CHANNELS   8
#define SYSTEM_MAX_WINDOWS    OPAL_DOMAIN_WINDOWS   /* the kernel's */
#define SYSTEM_MAX_DEVICES    4     /* MMIO ranges per component */
#define SYSTEM_MAX_IRQS       8     /* interrupts per component */
#define SYSTEM_MAX_ARGUMENTS  4     /* a task's start arguments (r0..r3) */
#define SYSTEM_MAX_VCPUS      8     /* a VM's vCPUs (= VMM_MAX_VCPUS) */
#define SYSTEM_NAME_MAX       16    /* component and channel names, with the NUL */
#define SYSTEM_FILE_MAX       32    /* boot-archive file names, with the NUL */
#define SYSTEM_BOOTARGS_MAX   512   /* = VMM_BOOTARGS_MAX, with the NUL */
#define SYSTEM_CHANNEL_MAX_SIZE 0x10000   /* a channel's shared region, bytes */
#define SYSTEM_DOORBELL_SIZE  0x1000u  /* after a channel's region in a VM: a write signals */
#define SYSTEM_MAX_ERRORS     32    /* reported; one more line says there were more */
#define SYSTEM_MAX_COMPONENTS (SYSTEM_MAX_VMS + SYSTEM_MAX_TASKS)
/* Each component in the schedule gets a domain of its own besides domain 0. */
_Static_assert(SYSTEM_MAX_COMPONENTS < OPAL_DOMAINS, "a kernel domain per component");

enum system_fault_policy {
    SYSTEM_FAULT_STOP = 0,     /* the default: the component stays stopped */
    SYSTEM_FAULT_RESTART,      /* restarted, at most restart-limit times, then stopped */
    SYSTEM_FAULT_HALT,         /* the whole system halts */
};

/* What a VM's stray guest access gets (`stray-access`); lib/vmm_boot.h's
 * enum vmm_stray_access has the same values. */
enum system_stray_access {
    SYSTEM_STRAY_ABORT = 0,    /* the default: an external abort, as on hardware */
    SYSTEM_STRAY_STOP,         /* the VM stops with a report */
};

struct system_range {
    uint32_t base, size;
};

/* What VMs and native tasks have in common. budget_us 0: no budget (the
 * component runs at its priority without a reservation). */
struct system_component {
    char name[SYSTEM_NAME_MAX];
    uint32_t priority;
    uint32_t budget_us, period_us;
    uint32_t fault_policy;             /* enum system_fault_policy */
    uint32_t restart_limit;
    struct system_range devices[SYSTEM_MAX_DEVICES];
    uint32_t device_count;
    uint32_t irqs[SYSTEM_MAX_IRQS];
    uint32_t irq_count;
};

struct system_vm {
    struct system_component component;   /* priority: the vCPU's */
    uint32_t vmm_priority;
    uint32_t ram_base, ram_size;
    uint32_t vcpus;
    uint32_t cpus[SYSTEM_MAX_VCPUS];     /* the core of each vCPU (and of its VMM thread) */
    uint32_t cpu_count;                  /* cores `cpus` listed (0: absent, all on core 0) */
    uint32_t stray_access;               /* enum system_stray_access */
    char kernel[SYSTEM_FILE_MAX];        /* files in the boot archive; "" when absent */
    char initrd[SYSTEM_FILE_MAX];
    char dtb_fragment[SYSTEM_FILE_MAX];  /* nodes merged into the generated guest DTB */
    char bootargs[SYSTEM_BOOTARGS_MAX];
    /* Its virtio disk: a region of the disk the task `disk` drives (a
     * task with `disk-sectors`), sectors [disk_start, disk_start +
     * disk_sectors) of it; disk[0] == 0 when the VM has none. */
    char disk[SYSTEM_NAME_MAX];
    uint32_t disk_start, disk_sectors;
};

struct system_task {
    struct system_component component;
    char image[SYSTEM_FILE_MAX];
    uint32_t stack_size, heap_size;
    uint32_t cpu;                        /* the core its thread runs on */
    uint32_t arguments[SYSTEM_MAX_ARGUMENTS];
    uint32_t argument_count;
    /* A disk driver (apps/blk): the size of the disk it drives, in
     * 512-byte sectors, which VMs' disk-regions are cut from; 0: not one. */
    uint32_t disk_sectors;
};

/* A shared region mapped into both ends and a notification each way. For an
 * end that is a VM, the region appears at guest_address[end] and the
 * notification as virtual interrupt guest_irq[end] (both 0 for a task end). */
struct system_channel {
    char name[SYSTEM_NAME_MAX];
    char ends[2][SYSTEM_NAME_MAX];
    uint32_t size;
    uint32_t guest_address[2];
    uint32_t guest_irq[2];
};

/* One window of the domain schedule: the component runs only inside it. */
struct system_window {
    char component[SYSTEM_NAME_MAX];
    uint32_t length_us;
};

struct system {
    struct system_vm vms[SYSTEM_MAX_VMS];
    uint32_t vm_count;
    struct system_task tasks[SYSTEM_MAX_TASKS];
    uint32_t task_count;
    struct system_channel channels[SYSTEM_MAX_CHANNELS];
    uint32_t channel_count;
    struct system_window windows[SYSTEM_MAX_WINDOWS];
    uint32_t window_count;             /* 0: no domain schedule */
    char console_input[SYSTEM_NAME_MAX];   /* "" : input goes nowhere */
};

/* The platform the description must fit, from whoever checks it: init passes
 * the real figures (boot info), tools/check-system those of QEMU's virt
 * machine as scripts/qemu.sh runs it (system_platform_qemu_virt()). */
struct system_platform {
    uint32_t ram_base, ram_size;     /* host RAM */
    uint32_t ram_free;               /* what guest RAM, channels and tasks may use */
    uint32_t mcp;                    /* init's maximum controlled priority */
    uint32_t cores;                  /* cores the kernel runs on: 0 .. cores - 1 */
    uint32_t irq_count;              /* interrupt IDs are below this */
    const uint32_t *reserved_irqs;   /* the kernel's own: never given out */
    uint32_t reserved_irq_count;
    const struct system_range *devices;   /* host MMIO a component may be given */
    uint32_t device_count;
    /* The console server's UART and its interrupt: never a component's. */
    struct system_range console_uart;
    uint32_t console_irq;
};

/* QEMU virt, 1 GiB at 0x40000000 (scripts/qemu.sh's default). */
void system_platform_qemu_virt(struct system_platform *platform);

/* Receives each error as one line, "<node path>: <what is wrong>". */
typedef void (*system_report_fn)(void *context, const char *message);

/* Reads the DTB of blob_size bytes into *system and checks it against the
 * platform; every error (up to SYSTEM_MAX_ERRORS) goes to report. Returns the
 * number of errors: 0 means *system is complete and may be built. */
unsigned system_load(struct system *system, const void *blob, uint32_t blob_size,
                     const struct system_platform *platform, system_report_fn report,
                     void *context);

/* A file of the boot archive (at boot) or of the build's staging
 * directory (check-system --archive): its bytes and their number. */
struct system_file {
    const void *data;
    uint32_t size;
};

/* Whether a VM's kernel is an ELF (a bare-metal guest, loaded by its
 * segments, no device tree) rather than a zImage. */
bool system_file_is_elf(const struct system_file *file);

/* Finds `name`: true and *file set, or false if there is no such file. */
typedef bool (*system_find_file_fn)(void *context, const char *name, struct system_file *file);

/* Where a checker finds the files a description names, and
 * SYSTEM_FILES_SCRATCH bytes of its own where each VM's device tree is
 * generated to be measured. */
struct system_files {
    system_find_file_fn find;
    void *context;
    void *scratch;
};
#define SYSTEM_FILES_SCRATCH GUEST_DTB_SPACE

/* After a successful system_load, the rules that need the files: each file
 * the description names (kernel, initrd, dtb-fragment, image; "vmm" when
 * there is a VM) is there, fits where init and the VMM put it (the VMM's
 * images area, the guest's RAM as lib/vmm_boot.h lays a Linux guest out,
 * an ELF guest's segments in its RAM, a task's in its address space), each
 * VM's generated device tree is at most GUEST_DTB_MAX bytes, and the
 * components' arenas, their images counted, fit the platform's free RAM.
 * Reports each error as system_load does and returns their number. */
unsigned system_check_files(const struct system *system, const struct system_platform *platform,
                            const struct system_files *files, system_report_fn report,
                            void *context);

/* What init's memory for one instance of component i (VMs first, then
 * tasks) must hold: its arena (opal_arena_carve, lib/opal.h, which carves
 * whole SYSTEM_ARENA_UNITs). A VM's: its RAM, its kernel and initrd and
 * generated device tree (each copied into whole 2 MiB frames), the VMM
 * program; a task's: its image, stack and heap; each with
 * SYSTEM_COMPONENT_OVERHEAD for the objects init makes of it. File sizes
 * come from `files` (NULL: not known yet, counted as 0). The checker adds
 * these up against the platform's free RAM; init carves exactly this. */
uint64_t system_arena_size(const struct system *system, uint32_t i,
                           const struct system_files *files);
#define SYSTEM_COMPONENT_OVERHEAD 0x00400000u   /* page tables, the process, its objects */
#define SYSTEM_ARENA_UNIT         (1u << OPAL_FRAME_LARGE_BITS)

#endif
