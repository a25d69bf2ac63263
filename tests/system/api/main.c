/* The API test root task: runs every TEST() one after the other, one line
 * each, then the totals, the kernel's invariant check, and powers off.
 * A kernel command line "api.only=SUITE" runs one suite. */
#include "core/format.h"
#include "core/string.h"
#include "test.h"

#define MAX_TESTS 512

extern const struct test_case __start_opal_tests[], __stop_opal_tests[];

/* Suites run in this order: the simplest objects first, so a kernel that
 * hangs in a later suite still reports the earlier ones; the multicore
 * suite, whose kernel paths are the newest, last. */
static const char *const suite_order[] = {
    "untyped", "cnode", "cspace", "tcb", "notification", "ipc", "vspace", "irq", "sched", "fault",
    "debug", "errors", "domain", "multicore",
};

struct failure {
    const char *file;
    int line;
    const char *expression;
    uint32_t got, expected;
};

static const struct test_case *tests[MAX_TESTS];
static unsigned test_count;
static struct failure failure;
static bool failed;
static intptr_t jump_buffer[5];

void test_fail(const char *file, int line, const char *expression, uint32_t got,
               uint32_t expected)
{
    failure = (struct failure){ file, line, expression, got, expected };
    failed = true;
    __builtin_longjmp(jump_buffer, 1);
}

static unsigned suite_rank(const char *suite)
{
    unsigned count = sizeof suite_order / sizeof suite_order[0];
    for (unsigned i = 0; i < count; i++)
        if (core_strcmp(suite, suite_order[i]) == 0)
            return i;
    return count;
}

static bool runs_before(const struct test_case *a, const struct test_case *b)
{
    unsigned rank_a = suite_rank(a->suite), rank_b = suite_rank(b->suite);
    if (rank_a != rank_b)
        return rank_a < rank_b;
    int by_file = core_strcmp(a->file, b->file);
    return by_file != 0 ? by_file < 0 : a->line < b->line;
}

/* "api.only=SUITE" on the command line: the suite to run, else NULL. */
static const char *only_suite(const char *cmdline, uint32_t *length)
{
    static const char key[] = "api.only=";
    for (const char *at = cmdline; *at; at++) {
        if (core_strncmp(at, key, sizeof key - 1) == 0) {
            const char *suite = at + sizeof key - 1;
            *length = 0;
            while (suite[*length] && suite[*length] != ' ')
                (*length)++;
            return suite;
        }
    }
    return NULL;
}

static void collect(const char *cmdline)
{
    uint32_t only_length = 0;
    const char *only = only_suite(cmdline, &only_length);
    for (const struct test_case *test = __start_opal_tests; test < __stop_opal_tests; test++) {
        if (only && (core_strncmp(test->suite, only, only_length) != 0 ||
                     core_strlen(test->suite) != only_length))
            continue;
        if (test_count == MAX_TESTS)
            break;
        unsigned at = test_count++;
        while (at > 0 && runs_before(test, tests[at - 1])) {
            tests[at] = tests[at - 1];
            at--;
        }
        tests[at] = test;
    }
}

static void format_value(char *buffer, uint32_t value)
{
    if (value < 0x10000u)
        format_string(buffer, 16, "%u", value);
    else
        format_string(buffer, 16, "0x%08x", value);
}

/* Runs one test and its cleanup; prints its line; true if it passed. */
static bool run(const struct test_case *test)
{
    failed = false;
    if (__builtin_setjmp(jump_buffer) == 0)
        test->run();
    int cleanup_error = test_cleanup();
    if (!failed && cleanup_error != OPAL_OK) {
        failure = (struct failure){ __FILE__, __LINE__, "test_cleanup()",
                                    (uint32_t)cleanup_error, OPAL_OK };
        failed = true;
    }
    if (!failed) {
        printf("TEST %s.%s ok\n", test->suite, test->name);
        return true;
    }
    char got[16], expected[16];
    format_value(got, failure.got);
    format_value(expected, failure.expected);
    printf("TEST %s.%s FAIL %s:%d %s (got %s, expected %s)\n", test->suite, test->name,
           failure.file, failure.line, failure.expression, got, expected);
    return false;
}

int main(const struct opal_bootinfo *bootinfo)
{
    test_resources_init(bootinfo);
    collect(bootinfo->cmdline);
    printf("TESTS planned %u\n", test_count);
    int error = opal_tcb_set_priority(OPAL_CAP_INIT_TCB, OPAL_CAP_INIT_TCB, PRIORITY_ROOT);
    printf("api: %u untyped caps, %u MiB free, root priority %u (error %d)\n",
           bootinfo->untyped_count, bootinfo->free_ram >> 20, PRIORITY_ROOT, error);
    unsigned passed = 0;
    for (unsigned i = 0; i < test_count; i++)
        passed += run(tests[i]);
    printf("TESTS %u passed, %u failed\n", passed, test_count - passed);
    printf("INVARIANTS %d\n", opal_check_invariants());
    opal_system_off();
}
