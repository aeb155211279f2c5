// SPDX-License-Identifier: GPL-2.0
//
// insnprof-mark: the phase marker of the insnprof plugin.  A static
// program without libc, linked at an address no other guest code uses
// (see tools/CMakeLists.txt): the plugin dumps its counters whenever a
// vCPU runs its entry point.  It only exits.

extern "C" [[noreturn]] void _start()
{
	asm volatile("mov $60, %%eax\n\t"	// exit(0)
		     "xor %%edi, %%edi\n\t"
		     "syscall" ::: "memory");
	__builtin_unreachable();
}
