// linger's commands: each lives in its own cmd_*.cpp and is listed in main.cpp's table.
#pragma once

#include <span>

namespace linger {

// Runs a command on the words after its name and returns linger's exit status.
using CommandFunction = int (*)(std::span<char* const> args);

// The commands; `linger help NAME` runs NAME with --help.
int RunSleep(std::span<char* const> args);
int RunWaitHttp(std::span<char* const> args);
int RunWaitTcp(std::span<char* const> args);
int RunWait(std::span<char* const> args);
int RunExecWithDelay(std::span<char* const> args);

// sleep NUMBER[SUFFIX]...: linger called by the name `sleep`, as coreutils sleep. `argv` starts
// with that name.
int RunSleepDropIn(std::span<char* const> argv);

int RunInstall(std::span<char* const> args);

}  // namespace linger
