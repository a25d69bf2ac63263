/* VMs' disks (docs/devices.md, The block driver): per VM with one, a link
 * (lib/blk_link.h) mapped into its VMM and its driver, and a RAM table
 * mapped read-only into the driver alone, which init fills for each
 * instance of the VM and empties before the VM's memory is taken back,
 * after the restart handshake: the driver confirms that nothing of the VM
 * is in flight, since the device writes straight into the VM's RAM. The
 * link, the table and the notifications are made once and outlive the
 * instances of both ends, as a channel's region does. */
#include "blk_link.h"
#include "core/string.h"
#include "init.h"
#include "process.h"
#include "runtime/mem.h"

#define PAGE 0x1000u
#define RW (OPAL_MAP_READ | OPAL_MAP_WRITE)
/* Where init keeps its own mappings of VM v's table and link. */
#define INIT_DISK_TABLE(v) (0x32000000u + (v) * PAGE)
#define INIT_DISK_LINK(v)  (0x32100000u + (v) * 0x10000u)
/* How long init waits for the driver's answer: its in-flight requests
 * must come back from the device, which takes a disk's latency. */
#define QUIESCE_TIMEOUT_MS 500u

_Static_assert(BLK_LINK_SIZE <= 0x10000u && BLK_LINK_SIZE % PAGE == 0, "a link fits its window");
_Static_assert(VMM_BLK_LINK_ADDRESS + BLK_LINK_SIZE <= VMM_RNG_LINK_ADDRESS,
               "the VMM's disk link ends before its entropy link");
_Static_assert(SYSTEM_MAX_VMS <= TASK_DISK_MAX_CLIENTS, "each VM may be a client");

static bool has_disk(const struct component *c)
{
    return c->kind == COMPONENT_VM && c->vm->disk[0] != '\0';
}

/* VM c's record; only for a VM with a disk (VMs are the first components). */
static const struct disk_client *disk_of(const struct init *init, const struct component *c)
{
    return &init->disks[c->number - 1];
}

/* The link pages, the table page and the ack notification of VM v, the
 * driver's notification badged for init's quiesce request. */
static int prepare_one(struct init *init, uint32_t v)
{
    const struct system_vm *vm = &init->system.vms[v];
    struct disk_client *d = &init->disks[v];
    const struct component *driver = component_find(init, vm->disk);
    int error;
    if (driver == NULL)
        return OPAL_ERR_NOT_FOUND;
    d->driver = (uint32_t)(driver - init->components);
    d->index = 0;
    for (uint32_t w = 0; w < v; w++)
        d->index += core_strcmp(init->system.vms[w].disk, vm->disk) == 0;
    for (uint32_t page = 0; page < BLK_LINK_SIZE / PAGE; page++)
        if ((error = opal_alloc_object(OPAL_OBJECT_FRAME, OPAL_FRAME_SMALL_BITS,
                                       &d->link_frames[page])) ||
            (error = map_copy(d->link_frames[page], OPAL_CAP_INIT_VSPACE,
                              INIT_DISK_LINK(v) + page * PAGE, RW)))
            return error;
    if ((error = opal_alloc_object(OPAL_OBJECT_FRAME, OPAL_FRAME_SMALL_BITS, &d->table_frame)) ||
        (error = map_copy(d->table_frame, OPAL_CAP_INIT_VSPACE, INIT_DISK_TABLE(v), RW)) ||
        (error = opal_alloc_object(OPAL_OBJECT_NOTIFICATION, 0, &d->ack)))
        return error;
    d->link = (struct blk_link *)INIT_DISK_LINK(v);
    d->table = (struct blk_ram_table *)INIT_DISK_TABLE(v);
    if ((d->quiesce = opal_alloc_slot()) == 0)
        return OPAL_ERR_NOT_ENOUGH_MEMORY;
    return opal_cnode_mint(OPAL_CAP_INIT_CNODE, d->quiesce, driver->notification,
                           OPAL_RIGHT_WRITE, TASK_BADGE_DISK_QUIESCE(d->index));
}

int disks_prepare(struct init *init)
{
    for (uint32_t v = 0; v < init->system.vm_count; v++) {
        if (init->system.vms[v].disk[0] == '\0')
            continue;
        int error = prepare_one(init, v);
        if (error != OPAL_OK) {
            printf("init: VM %s: its disk's link: %s\n", init->system.vms[v].component.name,
                   opal_error_name(error));
            return error;
        }
    }
    return OPAL_OK;
}

int disk_give_vmm(const struct init *init, const struct component *vm, uint32_t vspace,
                  uint32_t cnode)
{
    if (!has_disk(vm))
        return OPAL_OK;
    const struct disk_client *d = disk_of(init, vm);
    for (uint32_t page = 0; page < BLK_LINK_SIZE / PAGE; page++) {
        int error = map_copy(d->link_frames[page], vspace, VMM_BLK_LINK_ADDRESS + page * PAGE, RW);
        if (error != OPAL_OK)
            return error;
    }
    return opal_cnode_mint(cnode, VMM_CAP_BLK_DRIVER, init->components[d->driver].notification,
                           OPAL_RIGHT_WRITE, TASK_BADGE_CLIENT(d->index));
}

int dma_make(uint32_t vspace, uint32_t address, uint32_t size, uint32_t *physical)
{
    uint32_t untyped;
    int error = opal_alloc_object(OPAL_OBJECT_UNTYPED, __builtin_ctz(size), &untyped);
    for (uint32_t offset = 0; error == OPAL_OK && offset < size; offset += PAGE) {
        uint32_t frame = opal_alloc_slot(), at;
        if (frame == 0)
            return OPAL_ERR_NOT_ENOUGH_MEMORY;
        if ((error = opal_untyped_retype(untyped, OPAL_OBJECT_FRAME, OPAL_FRAME_SMALL_BITS,
                                         OPAL_CAP_INIT_CNODE, frame, 1)) ||
            (error = opal_frame_address(frame, &at)) ||
            (error = process_map_frame(frame, vspace, address + offset, RW)))
            return error;
        if (offset == 0)
            *physical = at;
        else if (at != *physical + offset)
            return OPAL_ERR_ILLEGAL_OPERATION;   /* Retype broke its promise */
    }
    return error;
}

/* Client j of the driver: VM v's link and table mapped, its VMM's
 * notification and init's ack in the driver's CNode. */
static int give_client(const struct init *init, uint32_t v, uint32_t vspace, uint32_t cnode,
                       struct task_disk_client *out)
{
    const struct system_vm *vm = &init->system.vms[v];
    const struct disk_client *d = &init->disks[v];
    uint32_t j = d->index;
    int error;
    for (uint32_t page = 0; page < BLK_LINK_SIZE / PAGE; page++)
        if ((error = map_copy(d->link_frames[page], vspace,
                              TASK_DISK_LINK_ADDRESS(j) + page * PAGE, RW)))
            return error;
    if ((error = map_copy(d->table_frame, vspace, TASK_DISK_TABLE_ADDRESS(j), OPAL_MAP_READ)) ||
        (error = opal_cnode_mint(cnode, TASK_SLOT_CLIENT_VMM_FIRST + j,
                                 init->components[v].notification, OPAL_RIGHT_WRITE,
                                 VMM_BADGE_BLK)) ||
        (error = opal_cnode_mint(cnode, TASK_SLOT_DISK_ACK_FIRST + j, d->ack, OPAL_RIGHT_WRITE, 1)))
        return error;
    *out = (struct task_disk_client){
        .start = vm->disk_start, .sectors = vm->disk_sectors,
        .link = TASK_DISK_LINK_ADDRESS(j), .ram_table = TASK_DISK_TABLE_ADDRESS(j),
        .vmm_slot = TASK_SLOT_CLIENT_VMM_FIRST + j, .ack_slot = TASK_SLOT_DISK_ACK_FIRST + j,
        .badge = TASK_BADGE_CLIENT(j), .quiesce_badge = TASK_BADGE_DISK_QUIESCE(j),
    };
    core_strlcpy(out->name, vm->component.name, sizeof out->name);
    return OPAL_OK;
}

int disk_give_driver(const struct init *init, const struct component *task, uint32_t vspace,
                     uint32_t cnode, struct task_disk *out)
{
    if (task->kind != COMPONENT_TASK || task->task->disk_sectors == 0)
        return OPAL_OK;
    int error = dma_make(vspace, TASK_DISK_DMA_ADDRESS, TASK_DISK_DMA_SIZE, &out->dma_physical);
    if (error != OPAL_OK)
        return error;
    out->sectors = task->task->disk_sectors;
    out->dma_address = TASK_DISK_DMA_ADDRESS;
    out->dma_size = TASK_DISK_DMA_SIZE;
    for (uint32_t v = 0; v < init->system.vm_count; v++) {
        if (core_strcmp(init->system.vms[v].disk, task->name) != 0)
            continue;
        uint32_t j = init->disks[v].index;
        if ((error = give_client(init, v, vspace, cnode, &out->clients[j])))
            return error;
        out->client_count = out->client_count > j + 1 ? out->client_count : j + 1;
    }
    return OPAL_OK;
}

/* The extents of the instance being built, gathered frame by frame. */
static struct {
    struct blk_ram_extent extents[BLK_RAM_EXTENTS_MAX];
    uint32_t count;
} ram;

void disk_ram_begin(void)
{
    ram.count = 0;
}

int disk_ram_add(uint32_t guest, uint32_t frame, uint32_t size)
{
    uint32_t physical;
    int error = opal_frame_address(frame, &physical);
    if (error != OPAL_OK)
        return error;
    struct blk_ram_extent *last = ram.count > 0 ? &ram.extents[ram.count - 1] : NULL;
    if (last != NULL && last->guest + last->size == guest &&
        (uint64_t)last->physical + last->size == physical) {
        last->size += size;
        return OPAL_OK;
    }
    if (ram.count == BLK_RAM_EXTENTS_MAX) {
        printf("init: the VM's RAM is in more than %u physical pieces, more than a disk's "
               "RAM table holds\n", BLK_RAM_EXTENTS_MAX);
        return OPAL_ERR_RANGE;
    }
    ram.extents[ram.count++] = (struct blk_ram_extent){ guest, physical, size };
    return OPAL_OK;
}

/* The extents first, the count last: the driver reads the count, then
 * only the extents it covers. */
void disk_ram_publish(const struct init *init, const struct component *vm)
{
    if (!has_disk(vm))
        return;
    struct blk_ram_table *table = disk_of(init, vm)->table;
    table->count = 0;
    blk_link_barrier();
    memcpy(table->extents, ram.extents, ram.count * sizeof ram.extents[0]);
    blk_link_barrier();
    table->count = ram.count;
}

/* Asks the driver to let go of client d and waits, bounded, for its
 * answer. init waits at the driver's priority (at most its own), yielding,
 * so a driver on its core runs. */
static bool quiesce(const struct init *init, const struct disk_client *d,
                    const struct component *driver)
{
    uint32_t word, priority = driver->config->priority;
    opal_poll(d->ack, &word);          /* an answer from before does not count */
    if (opal_signal(d->quiesce) != OPAL_OK)
        return false;
    opal_tcb_set_priority(OPAL_CAP_INIT_TCB, OPAL_CAP_INIT_TCB,
                          priority < MONITOR_PRIORITY ? priority : MONITOR_PRIORITY);
    uint64_t deadline = opal_counter() +
                        (uint64_t)init->bootinfo->timer_frequency * QUIESCE_TIMEOUT_MS / 1000;
    bool answered = false;
    while (!answered && opal_counter() < deadline) {
        answered = opal_poll(d->ack, &word) == OPAL_OK && word != 0;
        if (!answered)
            opal_yield();
    }
    opal_tcb_set_priority(OPAL_CAP_INIT_TCB, OPAL_CAP_INIT_TCB, MONITOR_PRIORITY);
    return answered;
}

bool disk_release(const struct init *init, const struct component *c)
{
    if (!has_disk(c))
        return true;
    const struct disk_client *d = disk_of(init, c);
    const struct component *driver = &init->components[d->driver];
    d->table->count = 0;              /* the driver takes no more requests of it */
    blk_link_barrier();
    if (driver->set_aside) {
        printf("init: %s: its disk driver %s was set aside, perhaps with transfers into "
               "this VM's RAM in flight\n", c->name, driver->name);
        return false;
    }
    if (driver->running && !quiesce(init, d, driver)) {
        printf("init: %s: its disk driver %s did not confirm within %u ms that no transfer "
               "into this VM's RAM is in flight\n", c->name, driver->name, QUIESCE_TIMEOUT_MS);
        return false;
    }
    memset(d->link, 0, BLK_LINK_SIZE);   /* the next instance starts with empty rings */
    return true;
}
