/* Placing threads on cores (docs/configuration.md): a VM's `vcpus` and
 * `cpus` (one core per vCPU, its VMM thread beside it), a task's `cpu`, each
 * a core the platform has, and the budgets of the threads on one core
 * adding up to at most that core. */
#include "core/system_internal.h"

#define PPM_OF_A_CORE 1000000u

/* A VM's vCPU count and the core of each. */
static void check_vm_cores(struct checker *c, const struct system_vm *vm, const char *path)
{
    uint32_t cores = c->platform->cores;
    if (vm->vcpus == 0 || vm->vcpus > SYSTEM_MAX_VCPUS) {
        system_error(c->errors, path, "vcpus is %u: a VM has 1 to %u vCPUs",
                     (unsigned)vm->vcpus, SYSTEM_MAX_VCPUS);
        return;
    }
    if (vm->cpu_count != 0 && vm->cpu_count != vm->vcpus) {
        system_error(c->errors, path, "cpus lists %u cores for %u vCPUs: one core per vCPU",
                     (unsigned)vm->cpu_count, (unsigned)vm->vcpus);
        return;
    }
    for (uint32_t k = 0; k < vm->cpu_count; k++)
        if (vm->cpus[k] >= cores)
            system_error(c->errors, path, "cpus: vCPU %u is on core %u, which this platform "
                         "lacks (cores 0 to %u)", (unsigned)k, (unsigned)vm->cpus[k],
                         (unsigned)cores - 1);
}

static void check_task_core(struct checker *c, const struct system_task *task, const char *path)
{
    if (task->cpu >= c->platform->cores)
        system_error(c->errors, path, "cpu %u is a core this platform lacks (cores 0 to %u)",
                     (unsigned)task->cpu, (unsigned)c->platform->cores - 1);
}

/* Component i's share of `core` in parts per million: its budget once for
 * each of its threads there (a VM's vCPUs each have the VM's budget; VMM
 * threads have none). */
static uint64_t share_of_core(const struct system *system, uint32_t i, uint32_t core)
{
    const struct system_component *k = system_component_at(system, i);
    if (k->budget_us == 0 || k->period_us == 0)
        return 0;
    uint64_t one = (uint64_t)k->budget_us * PPM_OF_A_CORE / k->period_us;
    if (i >= system->vm_count)
        return system->tasks[i - system->vm_count].cpu == core ? one : 0;
    const struct system_vm *vm = &system->vms[i];
    uint64_t share = 0;
    for (uint32_t v = 0; v < vm->vcpus && v < SYSTEM_MAX_VCPUS; v++)
        share += vm->cpus[v] == core ? one : 0;
    return share;
}

/* Each core's budgets add up to at most the core: the component whose
 * budget takes it past is named. */
static void check_core_budgets(struct checker *c, uint32_t core)
{
    uint64_t ppm = 0;
    for (uint32_t i = 0; i < system_component_count(c->system); i++) {
        uint64_t share = share_of_core(c->system, i, core);
        ppm += share;
        if (share == 0 || ppm <= PPM_OF_A_CORE)
            continue;
        char path[SYSTEM_PATH_MAX];
        system_component_path(c->system, i, path);
        system_error(c->errors, path, "its budget takes core %u to %u.%u%%, above 100%%",
                     (unsigned)core, (unsigned)(ppm / 10000u), (unsigned)(ppm / 1000u % 10u));
        return;
    }
}

void system_check_cores(struct checker *c)
{
    const struct system *system = c->system;
    char path[SYSTEM_PATH_MAX];
    for (uint32_t i = 0; i < system->vm_count; i++) {
        system_component_path(system, i, path);
        check_vm_cores(c, &system->vms[i], path);
    }
    for (uint32_t t = 0; t < system->task_count; t++) {
        system_component_path(system, system->vm_count + t, path);
        check_task_core(c, &system->tasks[t], path);
    }
    /* Cores past the platform's are reported above; their budgets need no sum. */
    for (uint32_t core = 0; core < c->platform->cores && core < 256; core++)
        check_core_budgets(c, core);
}
