/* The control task's side of its channels (struct ctrl_channel_page): once
 * a period it answers the requests its peers signalled, and at every report
 * it publishes its totals. Nothing here may make it wait: the peers'
 * signals are polled, not waited for, and a line about an answer is printed
 * only when the console has room for it (the others are counted). */
#include "console_client.h"
#include "core/format.h"
#include "ctrl.h"
#include "channels.h"

static const struct task_boot_info *boot_info;
static uint32_t unprinted;   /* answers whose line found the console full */

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

static void say_answered(uint32_t k, uint32_t sequence, uint32_t value)
{
    char note[80] = "", line[160];
    if (unprinted > 0)
        format_string(note, sizeof note, " (%u answers before it not printed: the console "
                      "was full)", (unsigned)unprinted);
    uint32_t length = (uint32_t)format_string(line, sizeof line, "ctrl: %s: request %u value "
                                              "0x%x answered 0x%x%s\n",
                                              boot_info->channels[k].name, (unsigned)sequence,
                                              (unsigned)value, (unsigned)(value + 1), note);
    if (!console_client_has_room(length)) {
        unprinted++;
        return;
    }
    unprinted = 0;
    printf("%s", line);
}

void channels_serve(void)
{
    uint32_t word;
    if (boot_info->channel_count == 0 || opal_poll(TASK_SLOT_CHANNELS, &word) != OPAL_OK)
        return;   /* no channel, or no peer signalled since the last look */
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
        say_answered(k, sequence, value);
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
