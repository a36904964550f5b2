// How a command ends: the line that says why, and the exit status that goes with it.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "result.h"

namespace linger {

// Logs `error` and returns the exit status it stands for (ExitStatusFor).
int Fail(const Error& error);

// Writes a result (help, version, a path) to stdout: returns 0, or logs why it could not and
// returns 1.
int Print(std::string_view text);

// The time since `start`, to the millisecond, as log lines print it ("1.5s").
std::string FormatSince(std::chrono::steady_clock::time_point start);

// Logs that stop signal `sig` ended a wait that began at `start`, and returns 128+sig.
int StoppedBySignal(int sig, std::chrono::steady_clock::time_point start);

}  // namespace linger
