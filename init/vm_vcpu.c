/* One vCPU of a VM as init builds it: the vCPU object, the thread that runs
 * the guest on it, the endpoint its exits go to and the reply object the
 * VMM answers them with, and for vCPU k >= 1 the VMM thread that serves it
 * (its stack and IPC buffer mapped, configured, on the vCPU's core, left
 * for the VMM to start at its own entry). Each lands in the VMM's CNode at
 * lib/vmm_boot.h's slots; everything comes from the VM's arena. */
#include "init.h"
#include "process.h"
#include "vmm_boot.h"

#define SMALL_FRAME (1u << OPAL_FRAME_SMALL_BITS)
#define RW (OPAL_MAP_READ | OPAL_MAP_WRITE)

static int give(const struct vm_vcpu_setup *s, uint32_t slot, uint32_t cap)
{
    return opal_cnode_copy(s->cnode, slot, cap, OPAL_RIGHTS_ALL);
}

/* The thread of vCPU k, on the VM's priority and budget and the vCPU's
 * core; its faults (the guest's exits) go to endpoint k. Not started: the
 * VMM starts vCPU 0 once the guest is loaded, the others on PSCI CPU_ON. */
static int make_vcpu_thread(const struct vm_vcpu_setup *s, uint32_t k, uint32_t vcpu,
                            uint32_t *tcb)
{
    uint32_t context, budget, period;
    int error;
    component_budget(s->component, &budget, &period);
    if ((error = opal_alloc_object(OPAL_OBJECT_TCB, 0, tcb)) ||
        (error = opal_alloc_object(OPAL_OBJECT_SCHED_CONTEXT, 0, &context)) ||
        (error = opal_tcb_configure(*tcb, vmm_cap_endpoint(k), s->cspace, s->guest_vspace, 0,
                                    0)) ||
        (error = opal_tcb_set_priority(*tcb, OPAL_CAP_INIT_TCB, s->component->config->priority)) ||
        (error = opal_sched_control_configure(OPAL_CAP_SCHED_CONTROL, context, budget, period)) ||
        (error = opal_tcb_set_sched_context(*tcb, context)) ||
        (error = opal_tcb_set_core(*tcb, s->core)) ||
        (error = opal_vcpu_bind_tcb(vcpu, *tcb)))
        return error;
    return OPAL_OK;
}

/* A fresh (zeroed) page at `address` in the VMM's address space. */
static int map_page(const struct vm_vcpu_setup *s, uint32_t address, uint32_t *frame)
{
    int error = opal_alloc_object(OPAL_OBJECT_FRAME, OPAL_FRAME_SMALL_BITS, frame);
    return error != OPAL_OK ? error : process_map_frame(*frame, s->vmm_vspace, address, RW);
}

/* VMM thread k (k >= 1): its IPC buffer and stack where lib/vmm_boot.h
 * says, the VMM's CSpace and VSpace, init's endpoint for its faults, the
 * VMM's priority with a full budget, the vCPU's core. */
static int make_vmm_thread(const struct vm_vcpu_setup *s, uint32_t k, uint32_t *tcb)
{
    uint32_t ipc_frame, frame, context;
    int error = map_page(s, vmm_thread_ipc_buffer(k), &ipc_frame);
    for (uint32_t page = vmm_thread_ipc_buffer(k) + VMM_THREAD_STACK_OFFSET;
         page < vmm_thread_stack_top(k) && error == OPAL_OK; page += SMALL_FRAME)
        error = map_page(s, page, &frame);
    if (error ||
        (error = opal_alloc_object(OPAL_OBJECT_TCB, 0, tcb)) ||
        (error = opal_alloc_object(OPAL_OBJECT_SCHED_CONTEXT, 0, &context)) ||
        (error = opal_tcb_configure(*tcb, VMM_CAP_PARENT, s->cspace, s->vmm_vspace,
                                    vmm_thread_ipc_buffer(k), ipc_frame)) ||
        (error = opal_tcb_set_priority(*tcb, OPAL_CAP_INIT_TCB, s->vmm_priority)) ||
        (error = opal_sched_control_configure(OPAL_CAP_SCHED_CONTROL, context, FULL_BUDGET_US,
                                              FULL_BUDGET_US)) ||
        (error = opal_tcb_set_sched_context(*tcb, context)) ||
        (error = opal_tcb_set_core(*tcb, s->core)))
        return error;
    return give(s, vmm_cap_thread(k), *tcb);
}

int vm_vcpu_make(const struct vm_vcpu_setup *s, uint32_t k, uint32_t *vcpu_tcb,
                 uint32_t *vmm_thread)
{
    uint32_t vcpu, endpoint, reply;
    int error;
    *vmm_thread = 0;
    if ((error = opal_alloc_object(OPAL_OBJECT_VCPU, 0, &vcpu)) ||
        (error = opal_alloc_object(OPAL_OBJECT_ENDPOINT, 0, &endpoint)) ||
        (error = opal_alloc_object(OPAL_OBJECT_REPLY, 0, &reply)) ||
        (error = make_vcpu_thread(s, k, vcpu, vcpu_tcb)) ||
        (error = give(s, vmm_cap_endpoint(k), endpoint)) ||
        (error = opal_cnode_move(s->cnode, vmm_cap_reply(k), reply)) ||   /* not copyable */
        (error = give(s, vmm_cap_vcpu(k), vcpu)) ||
        (error = give(s, vmm_cap_vcpu_tcb(k), *vcpu_tcb)))
        return error;
    return k == 0 ? OPAL_OK : make_vmm_thread(s, k, vmm_thread);
}
