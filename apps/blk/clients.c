/* The driver's clients: taking their requests from their links, round-robin
 * and bounded per wakeup, with at most `per_client` of each in flight so
 * one VM cannot fill the device's queue; completions back to the right
 * link and a signal to its VMM; the restart handshake with init. */
#include <stdarg.h>
#include <stddef.h>
#include "blk.h"
#include "core/format.h"
#include "runtime/mem.h"
#include "timer.h"

#define RATE_BURST 4u                /* a client's first lines, then one a second */

void client_report(struct client *client, const char *fmt, ...)
{
    if (!rate_limit_pass(&client->lines, RATE_BURST, opal_counter(), opal_counter_frequency()))
        return;
    char line[160];
    va_list args;
    va_start(args, fmt);
    format_string_v(line, sizeof line, fmt, args);
    va_end(args);
    printf("blk: %s: %s", client->info->name, line);
    if (client->lines.held != 0)
        printf(" (and %u more lines like these not shown)", (unsigned)client->lines.held);
    printf("\n");
    client->lines.held = 0;
}

void clients_init(struct driver *driver, const struct task_disk *disk)
{
    driver->disk = disk;
    driver->client_count = disk->client_count <= TASK_DISK_MAX_CLIENTS ? disk->client_count
                                                                       : TASK_DISK_MAX_CLIENTS;
    driver->per_client = driver->client_count > 0 ? SLOTS / driver->client_count : SLOTS;
    for (uint32_t j = 0; j < driver->client_count; j++) {
        struct client *c = &driver->clients[j];
        c->info = &disk->clients[j];
        c->link = (struct blk_link *)c->info->link;
        c->table = (const volatile struct blk_ram_table *)c->info->ram_table;
        printf("blk: serving %s: sectors %u to %u\n", c->info->name, (unsigned)c->info->start,
               (unsigned)(c->info->start + c->info->sectors - 1));
    }
}

/* The completion of the client's request `id`, unless its VM is going
 * down (then nobody will read it and init clears the link). */
static void complete(struct client *client, uint32_t id, uint32_t status)
{
    if (client->quiescing || client->table->count == 0)
        return;
    client->link->completions[client->completed % BLK_LINK_SLOTS] =
        (struct blk_completion){ .id = id, .status = status };
    blk_link_barrier();
    client->link->completion_head = ++client->completed;
    client->signal = true;
}

/* A slot the device has finished: its status to its client. */
static void finish(struct driver *driver, uint32_t s)
{
    struct slot *slot = &driver->slots[s];
    if (s >= SLOTS || !slot->busy)
        return;                      /* an id the device should not have used */
    uint8_t status = driver->device.dma->status[s];
    struct client *client = &driver->clients[slot->client];
    slot->busy = false;
    client->in_flight--;
    complete(client, slot->id, status == BLK_OK ? BLK_OK
                                : status == BLK_UNSUPPORTED ? BLK_UNSUPPORTED : BLK_IOERR);
}

static int free_slot(const struct driver *driver)
{
    for (uint32_t s = 0; s < SLOTS; s++)
        if (!driver->slots[s].busy)
            return (int)s;
    return -1;
}

/* A ring whose indices make no sense is the VMM's fault: reported once,
 * then ignored until the VM's next instance (the restart handshake). */
static bool ring_broken(struct client *client, uint32_t head, uint32_t completion_tail)
{
    const char *what = NULL;
    if (head - client->tail > BLK_LINK_SLOTS)
        what = "its request index jumped";
    else if (client->completed - completion_tail > BLK_LINK_SLOTS)
        what = "its completion index is off";
    if (what == NULL)
        return false;
    client->ignored = true;
    printf("blk: %s: %s (requests %u taken %u, completions %u taken %u): its ring is "
           "ignored until the VM's next instance\n", client->info->name, what, (unsigned)head,
           (unsigned)client->tail, (unsigned)client->completed, (unsigned)completion_tail);
    return true;
}

/* The request's fixed part and as many segments as it says, up to the
 * limit (more is refused by the checks, on the count copied here). */
static void copy_request(struct blk_request *to, const struct blk_request *from)
{
    memcpy(to, from, offsetof(struct blk_request, segments));
    uint32_t count = to->segment_count <= BLK_MAX_SEGMENTS ? to->segment_count : 0;
    memcpy(to->segments, from->segments, count * sizeof to->segments[0]);
}

/* Takes one request of client j if it has one and room for it; whether
 * it did. A request that fails its checks completes at once. */
static bool take_one(struct driver *driver, uint32_t j, bool *submitted)
{
    struct client *client = &driver->clients[j];
    struct blk_link *link = client->link;
    if (client->ignored || client->quiescing || client->table->count == 0)
        return false;
    uint32_t head = link->request_head, completion_tail = link->completion_tail;
    if (ring_broken(client, head, completion_tail) || head == client->tail ||
        client->tail - completion_tail >= BLK_LINK_SLOTS ||   /* no room for its completion */
        client->in_flight >= driver->per_client)
        return false;
    int s = free_slot(driver);
    if (s < 0)
        return false;
    static struct blk_request request;   /* private: the VMM cannot change it under the checks */
    blk_link_barrier();                  /* the slot after the index that published it */
    copy_request(&request, &link->requests[client->tail % BLK_LINK_SLOTS]);
    client->tail++;
    blk_link_barrier();                  /* copied before the VMM may reuse the slot */
    link->request_tail = client->tail;
    uint32_t status, entries = 0;
    if (driver->serving)
        entries = translate(driver, client, &request, (uint32_t)s, &status);
    else {
        status = BLK_IOERR;
        client_report(client, "request %u: the device was refused at start", (unsigned)request.id);
    }
    if (entries == 0) {
        complete(client, request.id, status);
        return true;
    }
    driver->slots[s] = (struct slot){ .busy = true, .client = j, .id = request.id };
    client->in_flight++;
    device_submit(&driver->device, (uint32_t)s, entries);
    *submitted = true;
    return true;
}

/* Round-robin, one request per client per round, from a different first
 * client each wakeup; at most 2 * BLK_LINK_SLOTS requests per client. */
static void take_requests(struct driver *driver)
{
    bool submitted = false, progress = true;
    uint32_t n = driver->client_count;
    for (uint32_t round = 0; progress && round < 2 * BLK_LINK_SLOTS; round++) {
        progress = false;
        for (uint32_t i = 0; i < n; i++)
            progress |= take_one(driver, (driver->next_client + i) % n, &submitted);
    }
    if (n != 0)
        driver->next_client = (driver->next_client + 1) % n;
    if (submitted)
        device_notify(&driver->device);
}

/* init's quiesce requests in `word`; each answered once nothing of the
 * client is in flight, and its state reset for the VM's next instance. */
static void quiesce(struct driver *driver, uint32_t word)
{
    for (uint32_t j = 0; j < driver->client_count; j++) {
        struct client *c = &driver->clients[j];
        if (word & c->info->quiesce_badge)
            c->quiescing = true;
        if (!c->quiescing || c->in_flight != 0)
            continue;
        c->tail = c->completed = 0;
        c->ignored = c->quiescing = c->signal = false;
        printf("blk: %s: its VM goes down; nothing of it is in flight\n", c->info->name);
        opal_signal(c->info->ack_slot);
    }
}

/* The device's finished requests to their clients; whether there were any. */
static bool collect_used(struct driver *driver)
{
    bool any = false;
    for (int s; driver->serving && (s = device_next_used(&driver->device)) >= 0; any = true)
        finish(driver, (uint32_t)s);
    return any;
}

/* While it works the driver asks the device for no interrupts and looks
 * at the used ring itself, after its notify too: QEMU often finishes a
 * read inside the notify, and the completion then reaches the VMM, which
 * is waiting in its signal to us (vmm_collecting), with no interrupt and
 * no signal back. Interrupts are asked for again before the driver waits,
 * and the ring looked at once more, so no completion goes unnoticed. */
void clients_work(struct driver *driver, uint32_t word)
{
    if (driver->serving)
        device_quiet(&driver->device, true);
    collect_used(driver);
    quiesce(driver, word);
    take_requests(driver);
    collect_used(driver);
    if (driver->serving) {
        device_quiet(&driver->device, false);
        collect_used(driver);
    }
    blk_link_barrier();   /* completions published before each client's flag is read */
    for (uint32_t j = 0; j < driver->client_count; j++) {
        struct client *c = &driver->clients[j];
        if (c->signal) {
            c->signal = false;
            if (!c->link->vmm_collecting)
                opal_signal(c->info->vmm_slot);
        }
    }
}
