/* VMs' entropy drivers (docs/devices.md, The entropy driver): per VM with
 * `entropy`, a one-page link (lib/rng_link.h) mapped into its VMM and its
 * driver, and a notification each way. The link is made once and outlives
 * the instances of both ends, as a channel's region does: bytes the driver
 * put there before a VM restarts are still unread random bytes after it. */
#include "core/string.h"
#include "init.h"
#include "rng_link.h"

#define PAGE 0x1000u
#define RW (OPAL_MAP_READ | OPAL_MAP_WRITE)

_Static_assert(RNG_LINK_SIZE == PAGE, "a link is one page");
_Static_assert(SYSTEM_MAX_VMS <= TASK_ENTROPY_MAX_CLIENTS, "each VM may be a client");

static bool has_entropy(const struct component *c)
{
    return c->kind == COMPONENT_VM && c->vm->entropy[0] != '\0';
}

bool driver_task(const struct init *init, const struct component *task)
{
    return task->kind == COMPONENT_TASK &&
           (task->task->disk_sectors != 0 || system_is_entropy_driver(&init->system, task->name));
}

int entropy_prepare(struct init *init)
{
    for (uint32_t v = 0; v < init->system.vm_count; v++) {
        const struct system_vm *vm = &init->system.vms[v];
        struct entropy_client *e = &init->entropy[v];
        if (vm->entropy[0] == '\0')
            continue;
        const struct component *driver = component_find(init, vm->entropy);
        int error = driver == NULL ? OPAL_ERR_NOT_FOUND
                  : opal_alloc_object(OPAL_OBJECT_FRAME, OPAL_FRAME_SMALL_BITS, &e->link_frame);
        if (error != OPAL_OK) {
            printf("init: VM %s: its entropy link: %s\n", vm->component.name,
                   opal_error_name(error));
            return error;
        }
        e->driver = (uint32_t)(driver - init->components);
        e->index = 0;
        for (uint32_t w = 0; w < v; w++)
            e->index += core_strcmp(init->system.vms[w].entropy, vm->entropy) == 0;
    }
    return OPAL_OK;
}

int entropy_give_vmm(const struct init *init, const struct component *vm, uint32_t vspace,
                     uint32_t cnode)
{
    if (!has_entropy(vm))
        return OPAL_OK;
    const struct entropy_client *e = &init->entropy[vm->number - 1];   /* VMs come first */
    int error = map_copy(e->link_frame, vspace, VMM_RNG_LINK_ADDRESS, RW);
    if (error != OPAL_OK)
        return error;
    return opal_cnode_mint(cnode, VMM_CAP_RNG_DRIVER, init->components[e->driver].notification,
                           OPAL_RIGHT_WRITE, TASK_BADGE_CLIENT(e->index));
}

int entropy_give_driver(const struct init *init, const struct component *task, uint32_t vspace,
                        uint32_t cnode, struct task_entropy *out)
{
    if (task->kind != COMPONENT_TASK || !system_is_entropy_driver(&init->system, task->name))
        return OPAL_OK;
    int error = dma_make(vspace, TASK_ENTROPY_DMA_ADDRESS, TASK_ENTROPY_DMA_SIZE,
                         &out->dma_physical);
    if (error != OPAL_OK)
        return error;
    out->dma_address = TASK_ENTROPY_DMA_ADDRESS;
    out->dma_size = TASK_ENTROPY_DMA_SIZE;
    for (uint32_t v = 0; v < init->system.vm_count; v++) {
        if (core_strcmp(init->system.vms[v].entropy, task->name) != 0)
            continue;
        const struct entropy_client *e = &init->entropy[v];
        uint32_t j = e->index;
        if ((error = map_copy(e->link_frame, vspace, TASK_ENTROPY_LINK_ADDRESS(j), RW)) ||
            (error = opal_cnode_mint(cnode, TASK_SLOT_CLIENT_VMM_FIRST + j,
                                     init->components[v].notification, OPAL_RIGHT_WRITE,
                                     VMM_BADGE_RNG)))
            return error;
        out->clients[j] = (struct task_entropy_client){
            .link = TASK_ENTROPY_LINK_ADDRESS(j), .vmm_slot = TASK_SLOT_CLIENT_VMM_FIRST + j,
            .badge = TASK_BADGE_CLIENT(j),
        };
        core_strlcpy(out->clients[j].name, init->system.vms[v].component.name,
                     sizeof out->clients[j].name);
        out->client_count = out->client_count > j + 1 ? out->client_count : j + 1;
    }
    return OPAL_OK;
}
