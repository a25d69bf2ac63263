/* Typed invocation wrappers: each packs its arguments into message registers
 * (MR4 onward in the IPC buffer), Calls the object's cap with the method's
 * label, and unpacks the results the same way; a refusal's detail is kept
 * for opal_last_error_detail(). */
#include <stddef.h>
#include "opal.h"

/* The detail of the last refused invocation of any thread of the process:
 * one record, not one per thread, because finding the calling thread's own
 * storage (its IPC buffer) costs a scan of the registered stacks. */
static struct opal_error_detail last_error_detail = { OPAL_ERROR_ARGUMENT_NONE, 0, 0 };

struct opal_error_detail opal_last_error_detail(void)
{
    return last_error_detail;
}

/* The kernel's detail words, if the reply carries them (its tag says
 * OPAL_ERROR_DETAIL_LENGTH words); else "no argument". */
static void record_error_detail(const struct opal_message *reply)
{
    bool present = OPAL_TAG_LENGTH(reply->tag) == OPAL_ERROR_DETAIL_LENGTH;
    last_error_detail = (struct opal_error_detail){
        .argument = present ? reply->mr[0] : OPAL_ERROR_ARGUMENT_NONE,
        .low = present ? reply->mr[1] : 0,
        .high = present ? reply->mr[2] : 0,
    };
}

/* The one invocation path: Call `cap` with `label` and `argument_count`
 * arguments; on OPAL_OK copy up to `result_count` result words to
 * `results` (on an error they are left as they were, and the detail is
 * recorded instead). */
static int invoke(uint32_t cap, uint32_t label, const uint32_t *arguments,
                  uint32_t argument_count, uint32_t *results, uint32_t result_count)
{
    /* The buffer is looked up (a scan of the registered stacks) only by an
     * invocation with words beyond the message registers. */
    struct opal_ipc_buffer *buffer =
        argument_count > OPAL_MSG_REGISTERS || result_count > OPAL_MSG_REGISTERS
            ? opal_ipc_buffer() : NULL;
    struct opal_message message = { .tag = OPAL_TAG(label, 0, argument_count) };
    for (uint32_t i = 0; i < argument_count; i++) {
        if (i < OPAL_MSG_REGISTERS)
            message.mr[i] = arguments[i];
        else
            buffer->mr[i] = arguments[i];
    }
    int error = opal_call(cap, &message);
    if (error != OPAL_OK) {
        record_error_detail(&message);
        return error;
    }
    for (uint32_t i = 0; i < result_count; i++)
        results[i] = i < OPAL_MSG_REGISTERS ? message.mr[i] : buffer->mr[i];
    return error;
}

#define ARGUMENTS(...) ((const uint32_t[]){ __VA_ARGS__ })
#define COUNT(...) (sizeof ARGUMENTS(__VA_ARGS__) / sizeof(uint32_t))
/* Invoke with the given arguments and no results. */
#define INVOKE(cap, label, ...) \
    invoke(cap, label, ARGUMENTS(__VA_ARGS__), COUNT(__VA_ARGS__), NULL, 0)
#define INVOKE_NO_ARGUMENTS(cap, label) invoke(cap, label, NULL, 0, NULL, 0)

int opal_untyped_retype(uint32_t untyped, uint32_t type, uint32_t size_bits, uint32_t dest_cnode,
                        uint32_t dest_index, uint32_t count)
{
    return INVOKE(untyped, OPAL_UNTYPED_RETYPE, type, size_bits, dest_cnode, dest_index, count);
}

int opal_cnode_copy(uint32_t cnode, uint32_t index, uint32_t source, uint32_t rights)
{
    return INVOKE(cnode, OPAL_CNODE_COPY, index, source, rights);
}

int opal_cnode_mint(uint32_t cnode, uint32_t index, uint32_t source, uint32_t rights,
                    uint32_t badge)
{
    return INVOKE(cnode, OPAL_CNODE_MINT, index, source, rights, badge);
}

int opal_cnode_move(uint32_t cnode, uint32_t index, uint32_t source)
{
    return INVOKE(cnode, OPAL_CNODE_MOVE, index, source);
}

int opal_cnode_mutate(uint32_t cnode, uint32_t index, uint32_t source, uint32_t badge)
{
    return INVOKE(cnode, OPAL_CNODE_MUTATE, index, source, badge);
}

int opal_cnode_delete(uint32_t cnode, uint32_t index)
{
    return INVOKE(cnode, OPAL_CNODE_DELETE, index);
}

int opal_cnode_revoke(uint32_t cnode, uint32_t index)
{
    return INVOKE(cnode, OPAL_CNODE_REVOKE, index);
}

int opal_tcb_configure(uint32_t tcb, uint32_t fault_endpoint, uint32_t cspace, uint32_t vspace,
                       uint32_t ipc_buffer_address, uint32_t ipc_buffer_frame)
{
    return INVOKE(tcb, OPAL_TCB_CONFIGURE, fault_endpoint, cspace, vspace, ipc_buffer_address,
                  ipc_buffer_frame);
}

int opal_tcb_set_priority(uint32_t tcb, uint32_t authority, uint32_t priority)
{
    return INVOKE(tcb, OPAL_TCB_SET_PRIORITY, authority, priority);
}

int opal_tcb_set_mcp(uint32_t tcb, uint32_t authority, uint32_t mcp)
{
    return INVOKE(tcb, OPAL_TCB_SET_MCP, authority, mcp);
}

int opal_tcb_set_sched_context(uint32_t tcb, uint32_t sched_context)
{
    return INVOKE(tcb, OPAL_TCB_SET_SCHED_CONTEXT, sched_context);
}

int opal_tcb_read_registers(uint32_t tcb, struct opal_registers *registers)
{
    uint32_t words[16];
    int error = invoke(tcb, OPAL_TCB_READ_REGISTERS, NULL, 0, words, 16);
    if (error != OPAL_OK)
        return error; /* *registers as it was */
    registers->pc = words[0];
    registers->sp = words[1];
    registers->cpsr = words[2];
    for (unsigned i = 0; i < 13; i++)
        registers->r[i] = words[3 + i];
    return error;
}

int opal_tcb_write_registers(uint32_t tcb, uint32_t pc, uint32_t sp, uint32_t r0, uint32_t r1,
                             uint32_t r2, uint32_t r3)
{
    return INVOKE(tcb, OPAL_TCB_WRITE_REGISTERS, pc, sp, r0, r1, r2, r3);
}

int opal_tcb_resume(uint32_t tcb)
{
    return INVOKE_NO_ARGUMENTS(tcb, OPAL_TCB_RESUME);
}

int opal_tcb_suspend(uint32_t tcb)
{
    return INVOKE_NO_ARGUMENTS(tcb, OPAL_TCB_SUSPEND);
}

int opal_tcb_bind_notification(uint32_t tcb, uint32_t notification)
{
    return INVOKE(tcb, OPAL_TCB_BIND_NOTIFICATION, notification);
}

int opal_tcb_unbind_notification(uint32_t tcb)
{
    return INVOKE_NO_ARGUMENTS(tcb, OPAL_TCB_UNBIND_NOTIFICATION);
}

int opal_tcb_set_core(uint32_t tcb, uint32_t core)
{
    return INVOKE(tcb, OPAL_TCB_SET_CORE, core);
}

int opal_sched_control_configure(uint32_t sched_control, uint32_t sched_context,
                                 uint32_t budget_us, uint32_t period_us)
{
    return INVOKE(sched_control, OPAL_SCHED_CONTROL_CONFIGURE, sched_context, budget_us,
                  period_us);
}

int opal_sched_control_set_domain_schedule(uint32_t sched_control, uint32_t count,
                                           const uint32_t *windows)
{
    enum { MAX_WINDOWS = 16 };
    uint32_t arguments[1 + 2 * MAX_WINDOWS] = { count };
    uint32_t length = 1;
    if (count <= MAX_WINDOWS) {
        for (uint32_t i = 0; i < 2 * count; i++)
            arguments[1 + i] = windows[i];
        length += 2 * count;
    }
    return invoke(sched_control, OPAL_SCHED_CONTROL_SET_DOMAIN_SCHEDULE, arguments, length,
                  NULL, 0);
}

int opal_sched_control_set_domain(uint32_t sched_control, uint32_t tcb, uint32_t domain)
{
    return INVOKE(sched_control, OPAL_SCHED_CONTROL_SET_DOMAIN, tcb, domain);
}

int opal_page_table_map(uint32_t page_table, uint32_t vspace, uint32_t address)
{
    return INVOKE(page_table, OPAL_PAGE_TABLE_MAP, vspace, address);
}

int opal_page_table_unmap(uint32_t page_table)
{
    return INVOKE_NO_ARGUMENTS(page_table, OPAL_PAGE_TABLE_UNMAP);
}

int opal_frame_map(uint32_t frame, uint32_t vspace, uint32_t address, uint32_t rights,
                   uint32_t attributes)
{
    return INVOKE(frame, OPAL_FRAME_MAP, vspace, address, rights, attributes);
}

int opal_frame_unmap(uint32_t frame)
{
    return INVOKE_NO_ARGUMENTS(frame, OPAL_FRAME_UNMAP);
}

int opal_frame_remap(uint32_t frame, uint32_t rights, uint32_t attributes)
{
    return INVOKE(frame, OPAL_FRAME_REMAP, rights, attributes);
}

int opal_frame_address(uint32_t frame, uint32_t *physical)
{
    return invoke(frame, OPAL_FRAME_ADDRESS, NULL, 0, physical, 1);
}

int opal_irq_control_get(uint32_t irq_control, uint32_t irq, uint32_t dest_cnode,
                         uint32_t dest_index)
{
    return INVOKE(irq_control, OPAL_IRQ_CONTROL_GET, irq, dest_cnode, dest_index);
}

int opal_irq_handler_set_notification(uint32_t irq_handler, uint32_t notification)
{
    return INVOKE(irq_handler, OPAL_IRQ_HANDLER_SET_NOTIFICATION, notification);
}

int opal_irq_handler_ack(uint32_t irq_handler)
{
    return INVOKE_NO_ARGUMENTS(irq_handler, OPAL_IRQ_HANDLER_ACK);
}

int opal_irq_handler_clear(uint32_t irq_handler)
{
    return INVOKE_NO_ARGUMENTS(irq_handler, OPAL_IRQ_HANDLER_CLEAR);
}

int opal_vcpu_bind_tcb(uint32_t vcpu, uint32_t tcb)
{
    return INVOKE(vcpu, OPAL_VCPU_BIND_TCB, tcb);
}

int opal_vcpu_read_register(uint32_t vcpu, uint32_t index, uint32_t *value)
{
    return invoke(vcpu, OPAL_VCPU_READ_REGISTER, ARGUMENTS(index), 1, value, 1);
}

int opal_vcpu_write_register(uint32_t vcpu, uint32_t index, uint32_t value)
{
    return INVOKE(vcpu, OPAL_VCPU_WRITE_REGISTER, index, value);
}

int opal_vcpu_inject_irq(uint32_t vcpu, uint32_t irq, uint32_t priority, uint32_t slot,
                         uint32_t flags, uint32_t *used)
{
    uint32_t ignored;
    return invoke(vcpu, OPAL_VCPU_INJECT_IRQ, ARGUMENTS(irq, priority, slot, flags), 4,
                  used ? used : &ignored, 1);
}

int opal_vcpu_set_vtimer_irq(uint32_t vcpu, uint32_t irq, uint32_t priority)
{
    return INVOKE(vcpu, OPAL_VCPU_SET_VTIMER_IRQ, irq, priority);
}

int opal_debug_write_some(uint32_t debug, const char *bytes, uint32_t length, uint32_t *taken)
{
    uint32_t result = 0;
    int error = invoke(debug, OPAL_DEBUG_WRITE, ARGUMENTS((uint32_t)(uintptr_t)bytes, length), 2,
                       &result, 1);
    *taken = error == OPAL_OK ? result : 0;
    return error;
}

int opal_debug_system_off(uint32_t debug)
{
    return INVOKE_NO_ARGUMENTS(debug, OPAL_DEBUG_SYSTEM_OFF);
}

int opal_debug_check_invariants(uint32_t debug)
{
    return INVOKE_NO_ARGUMENTS(debug, OPAL_DEBUG_CHECK_INVARIANTS);
}
