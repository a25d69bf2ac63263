/* rng: the entropy driver (docs/devices.md, The entropy driver). A native
 * task that owns the host's virtio-rng device and keeps each client VM's
 * rng link (lib/rng_link.h) filled with its bytes: the VM's VMM hands them
 * to the guest's virtio-rng device. Bytes go out in turns of at most
 * TURN_BYTES per client, so a VM draining its link cannot starve another.
 * Argument 0: the physical address of the device's virtio-mmio transport,
 * inside one of its devices. A device it refuses gets a line; the driver
 * then stays, serving nothing (its clients' guests wait for bytes). */
#include "opal.h"
#include "rng_link.h"
#include "runtime/mem.h"
#include "task_boot.h"
#include "virtio_host.h"

#define QUEUE_SIZE 4u          /* the fewest a device offers; one request is in flight */
#define REQUEST_BYTES 256u     /* asked of the device at once */
#define TURN_BYTES 32u         /* given to one client before the next one's turn */

/* The DMA page's layout (init gives TASK_ENTROPY_DMA_SIZE zeroed bytes at
 * a physical address the boot info says): the virtqueue's three parts at
 * the alignments virtio 1.x asks (16, 2, 4), then the request's buffer. */
struct dma {
    struct virtq_desc descriptors[QUEUE_SIZE];
    VIRTQ_AVAIL(QUEUE_SIZE) avail;
    VIRTQ_USED(QUEUE_SIZE) used __attribute__((aligned(4)));
    uint8_t buffer[REQUEST_BYTES] __attribute__((aligned(16)));
};
_Static_assert(sizeof(struct dma) <= TASK_ENTROPY_DMA_SIZE, "the layout fits the DMA page");

/* One client VM. `head` is the driver's own copy of the bytes written:
 * the link's head is only written here, its tail only read. */
struct client {
    const struct task_entropy_client *info;
    struct rng_link *link;
    uint32_t head;
    bool broken;               /* its indices made no sense: skipped until they do */
    bool signal;               /* bytes added since its VMM was signalled */
};

static struct {
    struct virtio_host host;
    struct dma *dma;
    uint32_t dma_physical;
    bool serving;              /* false: the device was refused */
    bool in_flight;            /* the one request is with the device */
    uint16_t avail_index, used_seen;
    uint8_t pending[REQUEST_BYTES];   /* received, not yet handed out (a private copy) */
    uint32_t pending_start, pending_count;
    struct client clients[TASK_ENTROPY_MAX_CLIENTS];
    uint32_t client_count, next_client;
} driver;

static uint32_t physical(const void *pointer)
{
    return driver.dma_physical +
           (uint32_t)((const uint8_t *)pointer - (const uint8_t *)driver.dma);
}

/* VERSION_1 only (virtio-rng has no feature bits), queue 0 set up. */
static bool device_start(const struct task_entropy *entropy)
{
    struct dma *dma = driver.dma = (struct dma *)entropy->dma_address;
    driver.dma_physical = entropy->dma_physical;
    uint64_t accepted;
    if (!virtio_host_probe(&driver.host, VIRTIO_ID_RNG, "an entropy device"))
        return false;
    virtio_host_reset(&driver.host);
    if (!virtio_host_negotiate(&driver.host, NULL, 0, 0, &accepted) ||
        !virtio_host_queue(&driver.host, 0, QUEUE_SIZE, physical(dma->descriptors),
                           physical(&dma->avail), physical(&dma->used)))
        return false;
    virtio_host_ready(&driver.host);
    return true;
}

/* Room in client c's link; 0 for a link whose indices make no sense,
 * reported when it becomes so and when it is sane again. */
static uint32_t room(struct client *c)
{
    uint32_t tail = c->link->tail, waiting = c->head - tail;
    rng_link_barrier();        /* the tail read before the bytes it frees are rewritten */
    bool broken = waiting > RNG_LINK_BYTES;
    if (broken != c->broken)
        printf(broken ? "rng: %s: its link's indices make no sense (written %u, taken %u): "
                        "skipped until they do\n"
                      : "rng: %s: its link is sane again (written %u, taken %u)\n",
               c->info->name, (unsigned)c->head, (unsigned)tail);
    c->broken = broken;
    return broken ? 0 : RNG_LINK_BYTES - waiting;
}

/* Up to TURN_BYTES of the pending bytes into client c's link; whether any went. */
static bool give_turn(struct client *c)
{
    uint32_t count = room(c);
    count = count < TURN_BYTES ? count : TURN_BYTES;
    count = count < driver.pending_count ? count : driver.pending_count;
    for (uint32_t i = 0; i < count; i++)
        c->link->bytes[(c->head + i) % RNG_LINK_BYTES] =
            driver.pending[driver.pending_start + i];
    if (count == 0)
        return false;
    driver.pending_start += count;
    driver.pending_count -= count;
    c->head += count;
    rng_link_barrier();        /* the bytes before the index that publishes them */
    c->link->head = c->head;
    c->signal = true;
    return true;
}

/* The pending bytes handed out in turns, from a different first client
 * each wakeup; at most REQUEST_BYTES / 1 turns with progress. */
static void distribute(void)
{
    uint32_t n = driver.client_count;
    bool progress = true;
    while (driver.pending_count != 0 && progress) {
        progress = false;
        for (uint32_t i = 0; i < n && driver.pending_count != 0; i++)
            progress |= give_turn(&driver.clients[(driver.next_client + i) % n]);
    }
    if (n != 0)
        driver.next_client = (driver.next_client + 1) % n;
}

/* The device's answer, if it came, copied out of the DMA page. */
static void collect(void)
{
    volatile uint16_t *index = &driver.dma->used.index;
    if (!driver.in_flight || *index == driver.used_seen)
        return;
    rng_link_barrier();        /* the entry after the index that published it */
    uint32_t length = driver.dma->used.ring[driver.used_seen % QUEUE_SIZE].length;
    driver.used_seen++;
    driver.in_flight = false;
    length = length < REQUEST_BYTES ? length : REQUEST_BYTES;   /* a device's lie is cut */
    memcpy(driver.pending, driver.dma->buffer, length);
    driver.pending_start = 0;
    driver.pending_count = length;
}

/* A new request when nothing is pending or in flight and a link has room. */
static void request_more(void)
{
    bool wanted = false;
    for (uint32_t j = 0; j < driver.client_count; j++)
        wanted |= room(&driver.clients[j]) != 0;
    if (!driver.serving || driver.in_flight || driver.pending_count != 0 || !wanted)
        return;
    struct dma *dma = driver.dma;
    dma->descriptors[0] = (struct virtq_desc){
        .address = physical(dma->buffer), .length = REQUEST_BYTES, .flags = VIRTQ_DESC_F_WRITE,
    };
    dma->avail.ring[driver.avail_index % QUEUE_SIZE] = 0;
    rng_link_barrier();        /* the entry before the index that publishes it */
    dma->avail.index = ++driver.avail_index;
    driver.in_flight = true;
    virtio_host_notify(&driver.host, 0);
}

/* One wakeup's work: bounded by one answer's bytes. */
static void work(void)
{
    if (driver.serving)
        collect();
    distribute();
    request_more();
    for (uint32_t j = 0; j < driver.client_count; j++) {
        struct client *c = &driver.clients[j];
        if (c->signal) {
            c->signal = false;
            opal_signal(c->info->vmm_slot);
        }
    }
}

/* "linux0, linux1": the clients' names for the start line. */
static void client_names(char *out, uint32_t size)
{
    uint32_t used = 0;
    out[0] = '\0';
    for (uint32_t j = 0; j < driver.client_count && used + 1 < size; j++) {
        const char *name = driver.clients[j].info->name;
        for (const char *p = j == 0 ? "" : ", "; *p && used + 1 < size; p++)
            out[used++] = *p;
        for (uint32_t k = 0; name[k] != '\0' && k < TASK_NAME_MAX && used + 1 < size; k++)
            out[used++] = name[k];
        out[used] = '\0';
    }
}

int main(const struct opal_bootinfo *unused)
{
    (void)unused;
    const struct task_boot_info *info = task_start();
    const struct task_entropy *entropy = &info->entropy;
    if (entropy->dma_size == 0 || info->irq_count == 0) {
        printf("rng: no VM's entropy names me, or my description gives me no interrupt; "
               "nothing to do\n");
        return 1;
    }
    driver.client_count = entropy->client_count <= TASK_ENTROPY_MAX_CLIENTS
                              ? entropy->client_count : TASK_ENTROPY_MAX_CLIENTS;
    for (uint32_t j = 0; j < driver.client_count; j++) {
        struct client *c = &driver.clients[j];
        c->info = &entropy->clients[j];
        c->link = (struct rng_link *)c->info->link;
        c->head = c->link->head;
    }
    driver.serving = virtio_host_map(&driver.host, info, "rng") && device_start(entropy);
    if (driver.serving) {
        char names[TASK_ENTROPY_MAX_CLIENTS * (TASK_NAME_MAX + 2)];
        client_names(names, sizeof names);
        printf("rng: virtio-rng at 0x%08x, virtio 1.x: serving %s\n",
               (unsigned)driver.host.transport, names);
    }
    work();                    /* fill every link from the start */
    for (;;) {
        uint32_t word = 0;
        opal_wait(TASK_SLOT_INTERRUPTS, &word);
        if (word & TASK_BADGE_IRQ(0)) {
            if (driver.serving)
                virtio_host_interrupt(&driver.host);
            opal_irq_handler_ack(TASK_SLOT_IRQ_FIRST);
        }
        work();
    }
}
