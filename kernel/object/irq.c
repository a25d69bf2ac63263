/* Interrupts for user level: IRQ control hands out one handler cap per
 * interrupt; a handler signals its notification and keeps the interrupt
 * masked until acknowledged. */
#include <stddef.h>
#include "opal/error.h"
#include "arch.h"
#include "log.h"
#include "objects.h"

#define IRQ_LIMIT 1024
#define IRQ_FIRST_USER 16   /* below: software-generated, never user level's */

struct irq_state {
    uint8_t has_handler;
    struct notification *notification;
    uint32_t badge;
};

static struct irq_state irqs[IRQ_LIMIT];

static int control_get(struct invocation *invocation)
{
    uint32_t *arguments = invocation->arguments;
    struct slot *cnode_slot;
    if (invocation->length < 3)
        return invocation_truncated(invocation);
    uint32_t irq = arguments[0];
    /* The bounds are the numbers user level may own at most; the kernel's
     * own interrupts and any the GIC lacks are refused within them. */
    if (irq >= IRQ_LIMIT || !arch_irq_available(irq))
        return invocation_out_of_range(invocation, 0, IRQ_FIRST_USER, IRQ_LIMIT - 1);
    if (irqs[irq].has_handler)
        return invocation_refuse(invocation, OPAL_ERR_REVOKE_FIRST, 0);
    int error = cspace_lookup_slot(&invocation->caller->cspace_root.cap, arguments[1], &cnode_slot);
    if (error != OPAL_OK)
        return invocation_refuse(invocation, error, 1);
    const struct cap *cnode = &cnode_slot->cap;
    if (cnode->type != OPAL_OBJECT_CNODE)
        return invocation_refuse(invocation, OPAL_ERR_INVALID_CAPABILITY, 1);
    if (arguments[2] >= (1u << cnode->size_bits))
        return invocation_out_of_range(invocation, 2, 0, (1u << cnode->size_bits) - 1);
    struct slot *destination = &cnode_slots(cnode)[arguments[2]];
    if (!cap_is_null(&destination->cap))
        return invocation_refuse(invocation, OPAL_ERR_DELETE_FIRST, 2);
    struct cap cap = { .type = OPAL_OBJECT_IRQ_HANDLER, .rights = OPAL_RIGHTS_ALL, .object = irq };
    cdt_insert_child(invocation->slot, destination, &cap);
    irqs[irq] = (struct irq_state){ .has_handler = 1 };
    return OPAL_OK;
}

int irq_control_invoke(struct invocation *invocation)
{
    if (invocation->label != OPAL_IRQ_CONTROL_GET)
        return invocation_no_method(invocation);
    return control_get(invocation);
}

static int set_notification(struct invocation *invocation, uint32_t irq)
{
    struct slot *slot;
    if (invocation->length < 1)
        return invocation_truncated(invocation);
    if (invocation->arguments[0] == 0) {
        irqs[irq].notification = NULL;
        arch_irq_mask(irq);
        return OPAL_OK;
    }
    int error = invocation_lookup(invocation, 0, OPAL_OBJECT_NOTIFICATION, &slot);
    if (error != OPAL_OK)
        return error;
    irqs[irq].notification = cap_object(&slot->cap);
    irqs[irq].badge = cap_badge(&slot->cap);
    arch_irq_unmask(irq);
    return OPAL_OK;
}

int irq_handler_invoke(struct invocation *invocation)
{
    uint32_t irq = invocation->slot->cap.object;
    switch (invocation->label) {
    case OPAL_IRQ_HANDLER_SET_NOTIFICATION:
        return set_notification(invocation, irq);
    case OPAL_IRQ_HANDLER_ACK:
        if (irqs[irq].notification)
            arch_irq_unmask(irq);
        return OPAL_OK;
    case OPAL_IRQ_HANDLER_CLEAR:
        irqs[irq].notification = NULL;
        arch_irq_mask(irq);
        return OPAL_OK;
    default:
        return invocation_no_method(invocation);
    }
}

/* The last handler cap went: the interrupt is free again. */
void irq_finalise_handler(uint32_t irq)
{
    arch_irq_mask(irq);
    irqs[irq] = (struct irq_state){ 0 };
}

void irq_notification_deleted(struct notification *notification)
{
    for (uint32_t irq = 0; irq < IRQ_LIMIT; irq++) {
        if (irqs[irq].notification == notification) {
            irqs[irq].notification = NULL;
            arch_irq_mask(irq);
        }
    }
}

/* An interrupt arrived: mask it until user level acknowledges it. */
void irq_deliver(uint32_t irq)
{
    arch_irq_mask(irq);
    if (irq < IRQ_LIMIT && irqs[irq].notification) {
        notification_signal(irqs[irq].notification, irqs[irq].badge);
        return;
    }
    log("interrupt %u has no handler; masked", irq);
}
