// linger's commands: each lives in its own cmd_*.cpp and is listed in main.cpp's table.
#pragma once

#include <span>
#include <string_view>

namespace linger {

// Runs a command on the words after its name and returns linger's exit status.
using CommandFunction = int (*)(std::span<char* const> args);

// linger sleep [OPTIONS] DURATION [-- COMMAND [ARG...]]
int RunSleep(std::span<char* const> args);
extern const std::string_view kSleepHelp;

// linger exec-with-delay [OPTIONS] [--] COMMAND [ARG...]
int RunExecWithDelay(std::span<char* const> args);
extern const std::string_view kExecWithDelayHelp;

// linger wait-http [OPTIONS] URL [-- COMMAND [ARG...]]
int RunWaitHttp(std::span<char* const> args);
extern const std::string_view kWaitHttpHelp;

// linger install [--name NAME] DIR
int RunInstall(std::span<char* const> args);
extern const std::string_view kInstallHelp;

}  // namespace linger
