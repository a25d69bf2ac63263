/* init, the root task: what its parts share. It builds the system the
 * description (system.dtb in the boot archive) says, one component at a
 * time, then handles their faults by each one's policy. */
#ifndef INIT_INIT_H
#define INIT_INIT_H

#include <stdbool.h>
#include <stddef.h>
#include "blk_link.h"
#include "console/console.h"
#include "core/system.h"
#include "opal.h"
#include "task_boot.h"
#include "vmm_boot.h"

/* What the description allows, the VMM and task ABIs must carry. */
_Static_assert(SYSTEM_DOORBELL_SIZE == VMM_DOORBELL_SIZE, "one doorbell size");
_Static_assert(SYSTEM_MAX_CHANNELS <= VMM_MAX_CHANNELS &&
               SYSTEM_MAX_CHANNELS <= TASK_MAX_CHANNELS, "channels fit the boot infos");
_Static_assert(SYSTEM_MAX_IRQS <= VMM_MAX_IRQS && SYSTEM_MAX_IRQS <= TASK_MAX_IRQS,
               "interrupts fit the boot infos");
_Static_assert(SYSTEM_MAX_DEVICES <= TASK_MAX_DEVICES, "devices fit a task's boot info");
_Static_assert(SYSTEM_CHANNEL_MAX_SIZE <= TASK_WINDOW_MAX, "a channel fits a task's window");
_Static_assert(SYSTEM_MAX_VCPUS == VMM_MAX_VCPUS, "every vCPU has its VMM slots");
_Static_assert(SYSTEM_BOOTARGS_MAX <= VMM_BOOTARGS_MAX, "bootargs are passed on whole");
_Static_assert(SYSTEM_NAME_MAX <= VMM_NAME_MAX && SYSTEM_NAME_MAX <= TASK_NAME_MAX &&
               SYSTEM_NAME_MAX <= sizeof(((struct vmm_channel *)0)->name),
               "names are passed on whole");
_Static_assert(VMM_IMAGE_ALIGN == 1u << OPAL_FRAME_LARGE_BITS, "images are copied in large frames");
_Static_assert(SYSTEM_STRAY_ABORT == (int)VMM_STRAY_ABORT &&
               SYSTEM_STRAY_STOP == (int)VMM_STRAY_STOP, "stray-access is passed as it is");

enum component_kind { COMPONENT_VM, COMPONENT_TASK };

/* One VM or native task. What other components hold caps to (its
 * notification, its console connection) is made once and kept across
 * restarts; everything else of an instance comes from its arena and goes
 * when it is rebuilt. */
struct component {
    const char *name;
    enum component_kind kind;
    const struct system_component *config;
    const struct system_vm *vm;          /* the description: VM ... */
    const struct system_task *task;      /* ... or task */
    uint32_t number;                     /* 1-based: its fault badge and arena owner */
    struct opal_arena arena;
    uint64_t arena_size;
    /* made once */
    uint32_t notification;               /* what its peers and the console signal */
    uint32_t parent;                     /* init's endpoint badged with `number` */
    bool console;                        /* connected to the console server */
    struct console_connection console_connection;
    uint32_t console_wait;               /* a task's: what the console signals */
    /* this instance's */
    uint32_t tcbs[2 * SYSTEM_MAX_VCPUS]; /* its threads (a VM: VMM threads and vCPUs) */
    uint32_t tcb_count;
    bool running;
    /* Stopped but not torn down: its memory may still be a DMA target
     * (disk.c), so it stays out of use and it is never started again. */
    bool set_aside;
    uint32_t restarts;
};

/* A VM's disk (disk.c), made once: the link and the RAM table, init's
 * mappings of them, the notification the driver answers init's quiesce
 * request on, and that request (the driver's notification, badged). */
struct disk_client {
    uint32_t link_frames[BLK_LINK_SIZE / 0x1000u];
    uint32_t table_frame;
    struct blk_link *link;
    struct blk_ram_table *table;
    uint32_t ack, quiesce;
    uint32_t driver;                     /* the driver's index in init's components */
    uint32_t index;                      /* the VM among the driver's clients */
};

/* Once built, init runs below the console server and the control task,
 * so rebuilding a component never delays them, and above the VMMs. */
#define MONITOR_PRIORITY 180

#define CHANNEL_PAGE      0x1000u
#define CHANNEL_MAX_PAGES (SYSTEM_CHANNEL_MAX_SIZE / CHANNEL_PAGE)

/* What init builds and supervises. There is one (main.c); each function
 * that reads or changes it is passed it, so its parameters say what it
 * touches. */
struct init {
    const struct opal_bootinfo *bootinfo;
    struct system system;                /* the description, checked */
    struct component components[SYSTEM_MAX_COMPONENTS];   /* VMs, then tasks */
    uint32_t component_count;
    uint32_t endpoint;                   /* where faults and reports arrive */
    /* each channel's shared region: made once, mapped into every instance of its ends */
    uint32_t channel_frames[SYSTEM_MAX_CHANNELS][CHANNEL_MAX_PAGES];
    /* the platform's date when the counter read rtc_counter (clock.c; 0: none) */
    uint32_t rtc_seconds;
    uint64_t rtc_counter;
    struct disk_client disks[SYSTEM_MAX_VMS];   /* by VM index, for the VMs with a disk */
};

/* archive.c: file `name` of the boot archive the kernel mapped for init. */
int archive_find(const struct opal_bootinfo *bootinfo, const char *name,
                 struct system_file *file);

/* description.c: system.dtb read and checked against this machine;
 * prints each error and returns how many there were. */
unsigned description_load(const struct opal_bootinfo *bootinfo, struct system *system);
/* The boot archive as the description's checker sees it, into *files. */
void description_files(const struct opal_bootinfo *bootinfo, struct system_files *files);

/* component.c */
const struct component *component_find(const struct init *init, const char *name);
/* Records, arenas and what is made once; with `console`, connections. */
int components_prepare(struct init *init);
/* A fresh instance. */
int component_build(const struct init *init, struct component *component);
/* Everything of the instance gone, its threads stopped first; or, when
 * its memory may still be a DMA target (a disk driver's, or a VM's whose
 * driver does not confirm the handshake), set aside: OPAL_ERR_ILLEGAL_OPERATION. */
int component_teardown(const struct init *init, struct component *component);
/* Its threads' scheduling: the description's budget and period, or a full
 * budget (never charged) when it gives none. */
void component_budget(const struct component *component, uint32_t *budget_us,
                      uint32_t *period_us);
#define FULL_BUDGET_US 10000u

/* grant.c: what init hands a component while building it. */
/* A CNode of 2^bits slots and a cap to it whose guard makes it resolve a
 * whole CPtr alone (*guarded: the component's CSpace root). */
int make_guarded_cnode(uint32_t bits, uint32_t *cnode, uint32_t *guarded);
/* Interrupt `irq`'s handler, bound to `notification` signalled with `badge`
 * (a write-only badged copy), moved into `cnode` at `slot`. */
int give_irq(uint32_t irq, uint32_t notification, uint32_t badge, uint32_t cnode, uint32_t slot);
/* Maps a new copy of the frame cap (a slot of the current arena's, so the
 * next instance can map the frame again). */
int map_copy(uint32_t frame, uint32_t vspace, uint32_t address, uint32_t rights);
/* A new frame of 2^bits bytes holding `size` bytes of data (zeros after
 * them), mapped into `vspace` at `address` with `rights`. */
int map_filled_frame(uint32_t bits, const void *data, uint32_t size, uint32_t vspace,
                     uint32_t address, uint32_t rights);
/* A physical address and an address in a VSpace (a process's, or a guest's
 * intermediate physical), kept apart by the compiler like the kernel's
 * paddr_t and uaddr_t. */
struct physical { uint32_t value; };
struct vspace_address { uint32_t value; };

static inline struct physical physical(uint32_t value)
{
    return (struct physical){ value };
}

static inline struct vspace_address vspace_address(uint32_t value)
{
    return (struct vspace_address){ value };
}

/* The device page at `page`, mapped uncached and read-write into `vspace`
 * at `address`. */
int map_device_page(struct physical page, uint32_t vspace, struct vspace_address address);

/* devices.c: every device frame the system uses, taken in address order at
 * the start (device untypeds are carved in order); later requests get copies. */
int devices_prepare(const struct init *init);
/* clock.c: the platform RTC's date, read once (after devices_prepare). */
void clock_read(struct init *init);

/* channel.c */
int channels_prepare(struct init *init);   /* shared regions, once */
/* Channel k of the system as seen from `component`: its end (0 or 1), or -1. */
int channel_end(const struct system *system, uint32_t k, const struct component *component);
/* Maps channel k's region into `vspace` at `address`. */
int channel_map(const struct init *init, uint32_t k, uint32_t vspace, uint32_t address);
/* The peer's notification, badged as channel k of `component`'s peer sees
 * it, into `cnode` at `slot`. */
int channel_give_peer(const struct init *init, uint32_t k, const struct component *component,
                      uint32_t cnode, uint32_t slot);
/* The badge channel k signals `component` with (its index among the
 * component's channels, in description order). */
uint32_t channel_index(const struct system *system, uint32_t k,
                       const struct component *component);

/* disk.c: VMs' disks (docs/devices.md, The block driver). */
int disks_prepare(struct init *init);      /* links, RAM tables, notifications, once */
/* A VM's link at VMM_BLK_LINK_ADDRESS, its driver's notification at
 * VMM_CAP_BLK_DRIVER; nothing for a VM without a disk. */
int disk_give_vmm(const struct init *init, const struct component *vm, uint32_t vspace,
                  uint32_t cnode);
/* A disk driver's DMA memory and its clients' links, tables and caps, as
 * *out (its boot info) says; nothing for another task. */
int disk_give_driver(const struct init *init, const struct component *task, uint32_t vspace,
                     uint32_t cnode, struct task_disk *out);
/* The RAM table of the instance being built: begin, each RAM frame (its
 * guest-physical address, cap and size), then publish before its VMM starts. */
void disk_ram_begin(void);
int disk_ram_add(uint32_t guest, uint32_t frame, uint32_t size);
void disk_ram_publish(const struct init *init, const struct component *vm);
/* Before a VM's memory is taken back: its table emptied and, if its driver
 * runs, the handshake; false (with a line) if the driver cannot confirm
 * that nothing of the VM is in flight. true for a VM without a disk. */
bool disk_release(const struct init *init, const struct component *vm);

/* vm.c and task.c: build one instance (the arena is entered). */
int vm_build(const struct init *init, struct component *component);
int task_build(const struct init *init, struct component *component);

/* vm_vcpu.c: vCPU k of a VM being built (lib/vmm_boot.h's slots k in the
 * VMM's CNode `cnode`, whose guarded root is `cspace`): the vCPU, its thread
 * (*vcpu_tcb, not started), its endpoint and reply and, for k >= 1, VMM
 * thread k (*vmm_thread; 0 for k = 0, the VMM's own), both on `core`. */
struct vm_vcpu_setup {
    const struct component *component;
    uint32_t cnode, cspace, guest_vspace, vmm_vspace, vmm_priority, core;
};
int vm_vcpu_make(const struct vm_vcpu_setup *setup, uint32_t k, uint32_t *vcpu_tcb,
                 uint32_t *vmm_thread);

/* schedule.c: a component's domain (0: none), and the schedule started. */
uint32_t schedule_domain(const struct system *system, const char *name);
int schedule_start(const struct system *system);

/* monitor.c: faults and reports, by policy; never returns. */
void monitor_run(struct init *init);

#endif
