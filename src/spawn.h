// Running COMMAND: replacing linger with it, and reporting why that failed.
#pragma once

#include <span>

#include "signals.h"

namespace linger {

// Replaces linger with `command` (null-terminated argv, searched in PATH) after putting back the
// inherited signal mask. Returns only on failure, having logged why, with 126 or 127.
int ExecCommand(std::span<char* const> command, const SignalState& inherited);

}  // namespace linger
