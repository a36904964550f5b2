// Running COMMAND: replacing linger with it or starting it as a child, and reporting why that
// failed.
#pragma once

#include <sys/types.h>

#include <span>

#include "signals.h"

namespace linger {

// Replaces linger with `command` (null-terminated argv, searched in PATH) after putting back the
// inherited signal state. Returns only on failure, having logged why, with 126 or 127.
int ExecCommand(std::span<char* const> command, const SignalState& inherited);

// A started child, or the exit status that says why there is none.
struct Spawned {
  pid_t pid = -1;   // -1 when the command did not start
  int failure = 0;  // then: 127 not found, 126 not executable, 1 fork failed (already logged)
};

// Starts `command` as a child with the inherited signal state and linger's stdin, stdout, stderr
// and environment. Returns once the child has exec'd or failed to (a failed child is reaped). With
// `new_group`, the child leads its own process group and takes the terminal, if any; SIGTTOU must
// be blocked or ignored by the caller.
Spawned SpawnCommand(std::span<char* const> command, const SignalState& inherited, bool new_group);

}  // namespace linger
