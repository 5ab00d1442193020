/* The table at USER_CODE the kernel reads to find each process's entry
 * point (struct user_table, kernel/defs.h). */
#include "ulib.h"

__attribute__((section(".user_table"), used))
const struct user_table user_table = {
    USER_MAGIC,
    {
        [PROG_SYSLOOP] = (uint64_t)sysloop_main,
        [PROG_DISKER] = (uint64_t)disker_main,
        [PROG_PORTER] = (uint64_t)porter_main,
        [PROG_PAGER] = (uint64_t)pager_main,
        [PROG_CRUNCHER] = (uint64_t)cruncher_main,
        [PROG_OUTBENCH] = (uint64_t)outbench_main,
        [PROG_COMPUTE] = (uint64_t)compute_main,
        [PROG_CALLER] = (uint64_t)caller_main,
        [PROG_POKER] = (uint64_t)poker_main,
        [PROG_UCALLBENCH] = (uint64_t)ucallbench_main,
        [PROG_YIELDER] = (uint64_t)yielder_main,
        [PROG_SMIER] = (uint64_t)smier_main,
        [PROG_MMIOER] = (uint64_t)mmioer_main,
        [PROG_FAULTER] = (uint64_t)faulter_main,
        [PROG_PINGER] = (uint64_t)pinger_main,
        [PROG_HPORT] = (uint64_t)hport_main,
        [PROG_HMMIO] = (uint64_t)hmmio_main,
        [PROG_SMCER] = (uint64_t)smcer_main,
        [PROG_EXCER] = (uint64_t)excer_main,
        [PROG_HPT] = (uint64_t)hpt_main,
        [PROG_HIDT] = (uint64_t)hidt_main,
        [PROG_HTF] = (uint64_t)htf_main,
    },
};
