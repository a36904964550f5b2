// Signal names and numbers, as kill(1) spells them, and which signals exec-with-delay may pass on.
// Pure: no system calls.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "result.h"

namespace linger {

// Reads "TERM", "SIGTERM", "term", "15", "RTMIN+2" or "SIGRTMAX-1".
Result<int> ParseSignal(std::string_view text);

// Reads a comma-separated list of signals ("TERM,QUIT").
Result<std::vector<int>> ParseSignalList(std::string_view text);

// "SIGTERM" for 15; real-time signals as "SIGRTMIN+N".
std::string SignalName(int sig);

// True for the signals exec-with-delay passes on to COMMAND: every one a process can catch but
// SIGCHLD, linger's own business. SEGV, BUS, FPE, ILL, TRAP and SYS count too: blocking them only
// catches those another process sends with kill(2); a real fault in linger is forced through with
// the default action by the kernel (force_sig_fault), and abort() unblocks SIGABRT.
bool IsForwardable(int sig);

}  // namespace linger
