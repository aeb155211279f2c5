// SPDX-License-Identifier: GPL-2.0
/* this module's private copy of the FC-NVMe wire code (see wire.h) */
#include "wire.c"
