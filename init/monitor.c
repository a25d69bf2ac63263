/* After the build, init waits on its endpoint for what goes wrong: a fault
 * or the exit of a component's thread (delivered by the kernel, badged with
 * the component's number) or a VMM's report of its guest's end. Each is handled
 * by the component's policy: restart (rebuilt from its images with fresh
 * memory, up to restart-limit times), stop, or halt the system. */
#include "core/format.h"
#include "init.h"
#include "vmm_boot.h"

static const char *policy_name(uint32_t policy)
{
    return policy == SYSTEM_FAULT_RESTART ? "restart"
           : policy == SYSTEM_FAULT_HALT  ? "halt" : "stop";
}

/* What happened, in words, from the message's label. */
static void describe(const struct opal_message *message, char *what, uint32_t size)
{
    uint32_t label = OPAL_TAG_LABEL(message->tag);
    switch (label) {
    case VMM_REPORT_OFF: format_string(what, size, "its guest powered off"); break;
    case VMM_REPORT_RESET: format_string(what, size, "its guest asked for a reset"); break;
    case VMM_REPORT_FAILED:
        format_string(what, size, "its VMM stopped the guest (its last lines say why)");
        break;
    case OPAL_FAULT_VM:
        format_string(what, size, "a %s fault at 0x%08x (pc 0x%08x)",
                      message->mr[3] ? "write" : message->mr[2] ? "fetch" : "read",
                      (unsigned)message->mr[1], (unsigned)message->mr[0]);
        break;
    case OPAL_FAULT_EXIT:
        format_string(what, size, "exited with status %d", (int)message->mr[1]);
        break;
    case OPAL_FAULT_UNDEFINED:
        format_string(what, size, "an undefined instruction (pc 0x%08x)",
                      (unsigned)message->mr[0]);
        break;
    case OPAL_FAULT_DEBUG:
        format_string(what, size, "a debug exception (breakpoint, watchpoint or BKPT) at "
                      "0x%08x (pc 0x%08x)", (unsigned)message->mr[1], (unsigned)message->mr[0]);
        break;
    case OPAL_FAULT_USER_EXCEPTION:
        format_string(what, size, "a trapped instruction, syndrome 0x%08x (pc 0x%08x)",
                      (unsigned)message->mr[1], (unsigned)message->mr[0]);
        break;
    default:
        format_string(what, size, "fault %u (pc 0x%08x)", (unsigned)label,
                      (unsigned)message->mr[0]);
        break;
    }
}

/* Memory accounting after a teardown: the component's arena is whole
 * again and the boot untypeds are untouched by restarts. */
static void account(const struct component *c)
{
    printf("init: %s: arena %llu of %llu KiB free, boot RAM %llu KiB free, %u slots used\n",
           c->name, (unsigned long long)(opal_alloc_free_bytes(&c->arena) >> 10),
           (unsigned long long)(opal_arena_bytes(&c->arena) >> 10),
           (unsigned long long)(opal_alloc_free_bytes(NULL) >> 10),
           (unsigned)opal_alloc_slots_used());
}

/* restart-limit 0 means no limit. */
static void restart(const struct init *init, struct component *c)
{
    uint32_t limit = c->config->restart_limit;
    if (limit != 0 && c->restarts == limit) {
        printf("init: %s: restart limit (%u) reached: stopped\n", c->name, (unsigned)limit);
        return;
    }
    c->restarts++;
    if (component_build(init, c) != OPAL_OK)
        printf("init: %s: the restart failed: stopped\n", c->name);
    else if (limit != 0)
        printf("init: %s: restarted (%u of %u)\n", c->name, (unsigned)c->restarts,
               (unsigned)limit);
    else
        printf("init: %s: restarted (%u)\n", c->name, (unsigned)c->restarts);
}

static void handle(const struct init *init, struct component *c,
                   const struct opal_message *message)
{
    char what[96];
    describe(message, what, sizeof what);
    uint32_t policy = c->config->fault_policy;
    if (OPAL_TAG_LABEL(message->tag) == VMM_REPORT_OFF)
        policy = SYSTEM_FAULT_STOP;   /* powering off is not a fault */
    printf("init: %s: %s; policy %s\n", c->name, what, policy_name(policy));
    if (policy == SYSTEM_FAULT_HALT) {
        printf("init: the system halts: %s is critical\n", c->name);
        print_flush();
        opal_system_off();
    }
    int error = component_teardown(init, c);
    if (c->set_aside)
        return;
    if (error != OPAL_OK)
        printf("init: %s: tearing it down: %s\n", c->name, opal_error_name(error));
    account(c);
    if (policy == SYSTEM_FAULT_RESTART)
        restart(init, c);
    else
        printf("init: %s: stopped; the rest runs on\n", c->name);
}

void monitor_run(struct init *init)
{
    /* A reply object for the faults and Calls that arrive: they are never
     * answered (the sender is torn down), but the kernel wants somewhere
     * to keep the caller. */
    uint32_t reply;
    if (opal_alloc_object(OPAL_OBJECT_REPLY, 0, &reply) != OPAL_OK)
        reply = 0;
    for (;;) {
        struct opal_message message;
        int error = opal_recv(init->endpoint, reply, &message);
        if (error != OPAL_OK) {
            printf("init: waiting for faults: %s\n", opal_error_name(error));
            continue;
        }
        if (message.badge == 0 || message.badge > init->component_count)
            continue;   /* nobody we know: nothing to do */
        struct component *c = &init->components[message.badge - 1];
        if (c->running)
            handle(init, c, &message);
        print_flush();
    }
}
