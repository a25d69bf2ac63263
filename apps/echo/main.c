/* echo: a small native task that talks to the control task over a channel
 * (configs/native-only.dts). Each time ctrl publishes its totals it prints
 * them and sends ctrl a request, and it prints ctrl's answer: data both
 * ways, end to end (struct ctrl_channel_page in apps/ctrl/ctrl.h).
 * Arguments, a test hook: argument 0, end after that many round trips (0:
 * never); argument 1, how: 0 crash (a write to address 0), 1 return from
 * main with status ECHO_EXIT_STATUS, 2 a BKPT instruction (init reports
 * each, docs/testing.md). */
#include "ctrl/ctrl.h"
#include "task_boot.h"

#define ECHO_EXIT_STATUS 7

enum echo_end { ECHO_CRASH = 0, ECHO_EXIT = 1, ECHO_BREAKPOINT = 2 };

/* The test hook's end of this instance. */
static int end_on_purpose(uint32_t how, uint32_t sequence)
{
    if (how == ECHO_EXIT) {
        printf("echo: test hook: exiting after %u round trips\n", (unsigned)sequence);
        return ECHO_EXIT_STATUS;
    }
    if (how == ECHO_BREAKPOINT) {
        printf("echo: test hook: a breakpoint after %u round trips\n", (unsigned)sequence);
        print_flush();
        __asm__ volatile("bkpt #0x7");
        return 1;
    }
    printf("echo: test hook: crashing after %u round trips\n", (unsigned)sequence);
    print_flush();
    *(volatile uint32_t *)0 = 0;
    return 1;
}

int main(const struct opal_bootinfo *unused)
{
    (void)unused;
    const struct task_boot_info *info = task_start();
    if (info->channel_count == 0) {
        printf("echo: no channel in my description; nothing to do\n");
        return 1;
    }
    uint32_t crash_after = info->argument_count > 0 ? info->arguments[0] : 0;
    uint32_t how = info->argument_count > 1 ? info->arguments[1] : ECHO_CRASH;
    struct ctrl_channel_page *page = (struct ctrl_channel_page *)info->channels[0].address;
    printf("echo: talking to %s over %s\n", info->channels[0].peer, info->channels[0].name);
    uint32_t sequence = 0, seen_periods = page->periods;
    bool waiting = false;
    for (;;) {
        uint32_t word;
        opal_wait(TASK_SLOT_CHANNELS, &word);
        if (waiting && page->reply_sequence == sequence) {
            __atomic_thread_fence(__ATOMIC_ACQUIRE);
            printf("echo: request %u answered 0x%x\n", (unsigned)sequence,
                   (unsigned)page->reply_value);
            waiting = false;
            if (sequence == crash_after)
                return end_on_purpose(how, sequence);
        }
        if (page->periods == seen_periods || waiting)
            continue;
        seen_periods = page->periods;
        printf("echo: %s reports periods=%u misses=%u\n", info->channels[0].peer,
               (unsigned)seen_periods, (unsigned)page->misses);
        page->request_value = 0x1000 + ++sequence;
        __atomic_thread_fence(__ATOMIC_RELEASE);
        page->request_sequence = sequence;
        waiting = true;
        opal_signal(TASK_SLOT_CHANNEL_FIRST);
    }
}
