/* The native critical control task: a periodic loop on the physical timer
 * that runs a small controller each period and reports its own timeliness.
 *
 * Each period n it sleeps until the timer interrupt for release_n =
 * start + n * period (absolute, so errors never accumulate), reads the
 * counter, runs the control step, arms the timer for release_{n+1} and acks
 * the interrupt. Release jitter is wake time - release_n (the time from the
 * ideal release to the task's first instruction); response time is the
 * control step's end - release_n. A deadline miss is a period whose control
 * step finished after release_{n+1}, the next release (response > period).
 *
 * Once per report interval (one second by default) of periods it prints
 * one line on the debug console:
 *
 *   ctrl: t=<T>s periods=<N> misses=<M> jitter max=<J>us avg=<J>us response max=<R>us
 *
 * T: seconds since the first release (N * period); N, M: totals since the
 * start; jitter max and avg, response max: over the periods since the
 * previous line, in microseconds with three decimals, e.g. 5.968 (whole ns).
 * Before the first report it prints `ctrl: period <P>us counter <F>Hz`.
 *
 * Requests from its channels' peers are answered once a period, after the
 * control step (channels.c).
 * What it needs (CSpace slots, start arguments) is apps/ctrl/ctrl.h. */
#include "channels.h"
#include "ctrl.h"
#include "timer.h"

#define MICROSECONDS 1000000u
#define NANOSECONDS 1000000000u
#define CONTROL_STEPS 128          /* a few microseconds of arithmetic */
#define FIXED_ONE (1 << 16)        /* Q16.16 fixed point */
#define INTEGRAL_LIMIT (1 << 24)

/* Release times release_n = start + n * period, kept exact when a period is
 * not a whole number of counter ticks: the fraction carries over in
 * millionths of a tick, as in Bresenham's line drawing. */
struct schedule {
    uint64_t release;          /* release_n, counter ticks */
    uint32_t whole_ticks;      /* period ticks, rounded down */
    uint32_t fraction;         /* the rest, in millionths of a tick */
    uint32_t carried;          /* fractions collected so far, < MICROSECONDS */
    uint32_t period_us;
    uint32_t frequency;
};

/* Counters since the start, and timings over the current report window
 * (in counter ticks). */
struct statistics {
    uint64_t periods, misses;
    uint32_t window_periods;
    uint64_t window_jitter_sum;
    uint32_t window_jitter_max;
    uint32_t window_response_max;
};

/* A PI controller holding a simulated first-order plant at a set point:
 * the task's stand-in for real control work. */
struct plant {
    int32_t output, integral;
};

static volatile int32_t actuator; /* where the controller's result "goes" */

static void schedule_init(struct schedule *schedule, uint32_t period_us, uint64_t now)
{
    uint32_t frequency = opal_counter_frequency();
    uint64_t ticks_times_million = (uint64_t)period_us * frequency;
    *schedule = (struct schedule){
        .whole_ticks = (uint32_t)(ticks_times_million / MICROSECONDS),
        .fraction = (uint32_t)(ticks_times_million % MICROSECONDS),
        .period_us = period_us,
        .frequency = frequency,
    };
    /* The first release one period from now leaves the start-up time out of
     * the first period's jitter. */
    schedule->release = now + schedule->whole_ticks;
}

static uint64_t schedule_next_release(const struct schedule *schedule)
{
    return schedule->release + schedule->whole_ticks +
           (schedule->carried + schedule->fraction >= MICROSECONDS);
}

static void schedule_advance(struct schedule *schedule)
{
    schedule->release = schedule_next_release(schedule);
    schedule->carried += schedule->fraction;
    if (schedule->carried >= MICROSECONDS)
        schedule->carried -= MICROSECONDS;
}

static uint32_t saturate(uint64_t value)
{
    return value > UINT32_MAX ? UINT32_MAX : (uint32_t)value;
}

static uint32_t ticks_to_ns(uint32_t ticks, uint32_t frequency)
{
    return saturate((uint64_t)ticks * NANOSECONDS / frequency);
}

/* Sleep until the timer interrupt for `release`; returns the wake-up time.
 * An interrupt before the release (a deadline somebody else left armed
 * before this task took the timer) is acked and slept through. */
static uint64_t wait_for_release(uint64_t release)
{
    for (;;) {
        uint32_t word;
        opal_wait(CTRL_SLOT_TIMER_NOTIFICATION, &word);
        uint64_t now = opal_counter();
        if (now >= release)
            return now;
        opal_irq_handler_ack(CTRL_SLOT_TIMER_IRQ);
    }
}

static int32_t clamp(int32_t value, int32_t limit)
{
    return value > limit ? limit : value < -limit ? -limit : value;
}

/* CONTROL_STEPS steps of the controller and plant; the set point flips
 * every 500 periods so there is always something to correct. */
static void control_work(struct plant *plant, uint64_t period_index)
{
    int32_t setpoint = ((period_index / 500) & 1) ? FIXED_ONE : 0;
    for (int step = 0; step < CONTROL_STEPS; step++) {
        int32_t error = setpoint - plant->output;
        plant->integral = clamp(plant->integral + error / 16, INTEGRAL_LIMIT);
        int32_t command = error / 2 + plant->integral / 64;
        plant->output += (command - plant->output) / 8;
    }
    actuator = plant->output;
}

/* The period released at schedule->release: the task woke at `woke` and
 * finished its work at `done`. */
static void record_period(struct statistics *statistics, const struct schedule *schedule,
                          uint64_t woke, uint64_t done)
{
    uint32_t jitter = saturate(woke - schedule->release);
    uint32_t response = saturate(done - schedule->release);
    statistics->periods++;
    statistics->misses += done > schedule_next_release(schedule);
    statistics->window_periods++;
    statistics->window_jitter_sum += jitter;
    if (jitter > statistics->window_jitter_max)
        statistics->window_jitter_max = jitter;
    if (response > statistics->window_response_max)
        statistics->window_response_max = response;
}

/* Microseconds with three decimals: "12.345". */
static void print_us(const char *name, uint32_t ns)
{
    printf(" %s=%u.%03uus", name, ns / 1000, ns % 1000);
}

static void report(struct statistics *statistics, const struct schedule *schedule)
{
    uint32_t seconds = (uint32_t)(statistics->periods * schedule->period_us / MICROSECONDS);
    uint32_t average = saturate(statistics->window_jitter_sum / statistics->window_periods);
    printf("ctrl: t=%us periods=%llu misses=%llu jitter", (unsigned)seconds,
           (unsigned long long)statistics->periods, (unsigned long long)statistics->misses);
    print_us("max", ticks_to_ns(statistics->window_jitter_max, schedule->frequency));
    print_us("avg", ticks_to_ns(average, schedule->frequency));
    printf(" response");
    print_us("max", ticks_to_ns(statistics->window_response_max, schedule->frequency));
    printf("\n");
    statistics->window_periods = 0;
    statistics->window_jitter_sum = 0;
    statistics->window_jitter_max = 0;
    statistics->window_response_max = 0;
}

static uint32_t or_default(uint32_t value, uint32_t default_value)
{
    return value == 0 ? default_value : value;
}

/* Take the timer: nothing stale may fire once the interrupt is bound. */
static int take_timer(void)
{
    opal_timer_stop();
    return opal_irq_handler_set_notification(CTRL_SLOT_TIMER_IRQ, CTRL_SLOT_TIMER_NOTIFICATION);
}

int main(const struct opal_bootinfo *unused)
{
    (void)unused;
    const struct task_boot_info *info = task_start();
    uint32_t period_argument = info->argument_count > 0 ? info->arguments[0] : 0;
    uint32_t report_argument = info->argument_count > 1 ? info->arguments[1] : 0;
    uint32_t period_us = or_default(period_argument, CTRL_DEFAULT_PERIOD_US);
    uint32_t report_seconds = or_default(report_argument, CTRL_DEFAULT_REPORT_SECONDS);
    if (period_us < CTRL_MIN_PERIOD_US || period_us > CTRL_MAX_PERIOD_US ||
        report_seconds > CTRL_MAX_REPORT_SECONDS) {
        printf("ctrl: period %u us outside [%u, %u] or report interval %u s above %u; "
               "not started\n", (unsigned)period_us, CTRL_MIN_PERIOD_US, CTRL_MAX_PERIOD_US,
               (unsigned)report_seconds, CTRL_MAX_REPORT_SECONDS);
        return 1;
    }
    channels_init(info);
    int error = take_timer();
    if (error != OPAL_OK) {
        printf("ctrl: cannot bind the timer interrupt: %s\n", opal_error_name(error));
        return 1;
    }
    uint32_t periods_per_report = (uint32_t)((uint64_t)report_seconds * MICROSECONDS / period_us);
    struct schedule schedule;
    struct statistics statistics = { 0 };
    struct plant plant = { 0 };
    schedule_init(&schedule, period_us, opal_counter());
    printf("ctrl: period %uus counter %uHz, a report every %us\n", (unsigned)period_us,
           (unsigned)schedule.frequency, (unsigned)report_seconds);
    print_flush();
    opal_timer_set(schedule.release);
    for (;;) {
        uint64_t woke = wait_for_release(schedule.release);
        control_work(&plant, statistics.periods);
        record_period(&statistics, &schedule, woke, opal_counter());
        schedule_advance(&schedule);
        opal_timer_set(schedule.release);   /* moves the level off before the ack */
        opal_irq_handler_ack(CTRL_SLOT_TIMER_IRQ);
        channels_serve();
        if (statistics.window_periods == periods_per_report) {
            report(&statistics, &schedule);
            channels_publish(statistics.periods, statistics.misses);
        }
    }
}
