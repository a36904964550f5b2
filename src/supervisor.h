// exec-with-delay's supervisor: runs COMMAND as a child, holds its stop signal back, forwards the
// rest, reaps every child, and exits with COMMAND's status.
#pragma once

#include <span>

#include "exec_options.h"

namespace linger {

// Runs `command` (null-terminated argv) until it exits and returns linger's exit status: COMMAND's
// own, 128+N when a signal killed it, 0 for a --success-exit status, 126/127 when it cannot start.
int Supervise(std::span<char* const> command, const ExecOptions& options);

}  // namespace linger
