/* linkset.h: linker sets, as FreeBSD's <sys/linker_set.h> — a file adds an
 * entry to a named set where it defines it, and the program walks the set, so
 * a new `:` command or subcommand is one file (its entry beside its code), not
 * an edit to a central list. Each entry is a pointer placed in the ELF section
 * mlc_set_NAME; the linker gathers the sections of every object it links and
 * defines __start_/__stop_ symbols around them (GNU ld, gold, lld). The
 * sanitizers leave variables in named sections unpadded, so the pointers stay
 * an array. configure checks that this works on the machine. */
#ifndef MLC_LINKSET_H
#define MLC_LINKSET_H

/* Add the object sym (defined in this file) to set. */
#define MLC_SET_ADD(set, sym)                                                                    \
	static const void *const mlc_set_entry_##set##_##sym                                     \
	    __attribute__((section("mlc_set_" #set), used, aligned(sizeof(void *)))) = &(sym)

/* Declare set, whose entries point to type, in a file that walks it. */
#define MLC_SET_DECLARE(set, type)                                                               \
	extern type *const __start_mlc_set_##set[] __attribute__((weak));                       \
	extern type *const __stop_mlc_set_##set[] __attribute__((weak))

/* The first entry of set and one past its last; equal when it is empty. */
#define MLC_SET_BEGIN(set) (__start_mlc_set_##set)
#define MLC_SET_END(set) (__stop_mlc_set_##set)
/* How many entries set has. */
#define MLC_SET_COUNT(set) ((size_t)(MLC_SET_END(set) - MLC_SET_BEGIN(set)))

#endif
