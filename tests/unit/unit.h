/* A tiny harness for host unit tests. Define UNIT_SUITE, include this once per
 * test binary, write TEST(name) { ... CHECK(...); } and it provides main(). */
#ifndef UNIT_H
#define UNIT_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef UNIT_SUITE
#error "define UNIT_SUITE (the suite name printed before each test) before including unit.h"
#endif

#define UNIT_MAX_TESTS 256
#define UNIT_UNUSED __attribute__((unused))

struct unit_test {
    const char *name;
    void (*run)(void);
};

static struct unit_test unit_tests[UNIT_MAX_TESTS];
static int unit_test_count;
static char unit_failure[1024]; /* the first failure of the running test; empty if none */
static int unit_argc;
static char **unit_argv;

static void unit_register(const char *name, void (*run)(void))
{
    if (unit_test_count == UNIT_MAX_TESTS) {
        fprintf(stderr, "unit.h: more than %d tests\n", UNIT_MAX_TESTS);
        abort();
    }
    unit_tests[unit_test_count++] = (struct unit_test){ name, run };
}

/* Registration runs before main, in the order the tests appear in the file. */
#define TEST(name)                                                                       \
    static void unit_test_##name(void);                                                  \
    __attribute__((constructor)) static void unit_register_##name(void)                 \
    {                                                                                    \
        unit_register(#name, unit_test_##name);                                          \
    }                                                                                    \
    static void unit_test_##name(void)

__attribute__((format(printf, 3, 4))) static void unit_fail(const char *file, int line,
                                                            const char *fmt, ...)
{
    va_list args;
    int n;

    if (unit_failure[0] != '\0')
        return;
    n = snprintf(unit_failure, sizeof unit_failure, "%s:%d: ", file, line);
    va_start(args, fmt);
    vsnprintf(unit_failure + n, sizeof unit_failure - (size_t)n, fmt, args);
    va_end(args);
}

/* Each CHECK returns from the test on failure, so later steps never run on
 * bad data; use them in the TEST body or in helpers returning void. */
#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            unit_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);                           \
            return;                                                                      \
        }                                                                                \
    } while (0)

/* Like CHECK, with a printf-style explanation (e.g. the loop index). */
#define CHECKF(cond, ...)                                                                \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            unit_fail(__FILE__, __LINE__, __VA_ARGS__);                                  \
            return;                                                                      \
        }                                                                                \
    } while (0)

/* Integers of any width; both values are printed in decimal and hex. */
#define CHECK_EQ(actual, expected)                                                       \
    do {                                                                                 \
        long long unit_actual_ = (long long)(actual);                                    \
        long long unit_expected_ = (long long)(expected);                                \
        if (unit_actual_ != unit_expected_) {                                            \
            unit_fail(__FILE__, __LINE__, "CHECK_EQ(%s, %s): %lld (0x%llx) != %lld (0x%llx)", \
                      #actual, #expected, unit_actual_, (unsigned long long)unit_actual_,  \
                      unit_expected_, (unsigned long long)unit_expected_);                \
            return;                                                                      \
        }                                                                                \
    } while (0)

#define CHECK_STR(actual, expected)                                                      \
    do {                                                                                 \
        const char *unit_actual_s_ = (actual);                                           \
        const char *unit_expected_s_ = (expected);                                       \
        if (unit_actual_s_ == NULL || strcmp(unit_actual_s_, unit_expected_s_) != 0) {   \
            unit_fail(__FILE__, __LINE__, "CHECK_STR(%s, %s): \"%s\" != \"%s\"", #actual, \
                      #expected, unit_actual_s_ ? unit_actual_s_ : "(NULL)",             \
                      unit_expected_s_);                                                 \
            return;                                                                      \
        }                                                                                \
    } while (0)

/* The i-th command-line argument (fixture path), or NULL. */
UNIT_UNUSED static const char *unit_arg(int i)
{
    return i < unit_argc ? unit_argv[i] : NULL;
}

/* A malloc'd copy of exactly size bytes, so ASan flags any read past the end. */
UNIT_UNUSED static uint8_t *unit_copy(const void *data, size_t size)
{
    uint8_t *copy = malloc(size);

    if (copy == NULL) {
        fprintf(stderr, "unit.h: out of memory\n");
        abort();
    }
    if (size > 0)
        memcpy(copy, data, size);
    return copy;
}

/* Reads a whole file into an exact-size malloc'd buffer; NULL if it cannot. */
UNIT_UNUSED static uint8_t *unit_read_file(const char *path, size_t *size)
{
    FILE *f = path ? fopen(path, "rb") : NULL;
    uint8_t *data = NULL;
    long length;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (length = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        data = malloc((size_t)length ? (size_t)length : 1);
        if (data != NULL && fread(data, 1, (size_t)length, f) != (size_t)length) {
            free(data);
            data = NULL;
        }
        *size = (size_t)length;
    }
    fclose(f);
    return data;
}

int main(int argc, char **argv)
{
    int passed = 0, failed = 0;

    unit_argc = argc;
    unit_argv = argv;
    for (int i = 0; i < unit_test_count; i++) {
        unit_failure[0] = '\0';
        unit_tests[i].run();
        if (unit_failure[0] != '\0') {
            printf("FAIL %s.%s: %s\n", UNIT_SUITE, unit_tests[i].name, unit_failure);
            failed++;
        } else {
            printf("ok %s.%s\n", UNIT_SUITE, unit_tests[i].name);
            passed++;
        }
        fflush(stdout);
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}

#endif
