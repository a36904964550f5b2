// Running COMMAND: replacing linger with it or starting it as a child. Never through a shell: a
// file that is no executable format fails with "Exec format error" (126), as in an image that has
// no shell it must.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <span>
#include <string>

#include "result.h"
#include "signals.h"

namespace linger {

// Where `name` runs from: itself when it contains a '/', else the first executable regular file
// of that name in $PATH (execvp's search). Errors carry 127 (not found) or 126 (found, not
// executable) and name the command.
Result<std::string> FindCommand(const char* name);

// Replaces linger with `command` (null-terminated argv) after putting back the inherited signal
// state. A stop signal that arrived before, or arrives while the state is put back, ends linger
// with 128+N instead: COMMAND would never hear of it, and as PID 1 the kernel would drop it.
// Returns only when COMMAND did not run, with the exit status, having logged why. `start` is when
// linger's wait began, for the stop line.
int ExecCommand(std::span<char* const> command, const SignalState& inherited,
                const StopSignals& stop, std::chrono::steady_clock::time_point start);

// Starts `command` as a child with the inherited signal state and linger's stdin, stdout, stderr
// and environment, and returns its pid once it has exec'd (a child that failed to is reaped). With
// `new_group`, the child leads its own process group, and takes the terminal if linger's group
// had it in the foreground; SIGTTOU must be blocked or ignored by the caller.
Result<pid_t> SpawnCommand(std::span<char* const> command, const SignalState& inherited,
                           bool new_group);

}  // namespace linger
