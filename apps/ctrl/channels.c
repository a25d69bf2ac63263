/* The control task's side of its channels (struct ctrl_channel_page): it
 * answers each peer's request and publishes its totals at every report. */
#include "ctrl.h"
#include "channels.h"

static const struct task_boot_info *boot_info;

static struct ctrl_channel_page *page(uint32_t k)
{
    return (struct ctrl_channel_page *)boot_info->channels[k].address;
}

void channels_init(const struct task_boot_info *info)
{
    boot_info = info;
    for (uint32_t k = 0; k < info->channel_count; k++)
        printf("ctrl: channel %s to %s: %u bytes at 0x%08x\n", info->channels[k].name,
               info->channels[k].peer, (unsigned)info->channels[k].size,
               (unsigned)info->channels[k].address);
}

void channels_serve(uint32_t word)
{
    for (uint32_t k = 0; k < boot_info->channel_count; k++) {
        struct ctrl_channel_page *shared = page(k);
        uint32_t sequence = shared->request_sequence;
        if (!(word & TASK_BADGE_CHANNEL(k)) || sequence == shared->reply_sequence)
            continue;
        uint32_t value = shared->request_value;
        shared->reply_value = value + 1;
        __atomic_thread_fence(__ATOMIC_RELEASE);   /* the value before the sequence */
        shared->reply_sequence = sequence;
        opal_signal(TASK_SLOT_CHANNEL_FIRST + k);
        printf("ctrl: %s: request %u value 0x%x answered 0x%x\n", boot_info->channels[k].name,
               (unsigned)sequence, (unsigned)value, (unsigned)(value + 1));
    }
}

void channels_publish(uint64_t periods, uint64_t misses)
{
    for (uint32_t k = 0; k < boot_info->channel_count; k++) {
        page(k)->periods = (uint32_t)periods;
        page(k)->misses = (uint32_t)misses;
        opal_signal(TASK_SLOT_CHANNEL_FIRST + k);
    }
}
