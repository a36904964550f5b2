// linger's entry point: finds the command in one table and hands it the rest of the line.
#include <fmt/core.h>

#include <cstdlib>
#include <span>
#include <string_view>

#include "cli.h"
#include "commands.h"
#include "exit_status.h"
#include "log.h"

namespace linger {
namespace {

struct Command {
  std::string_view name;
  std::string_view summary;
  CommandFunction run;
  const std::string_view* help;
};

const Command kCommands[] = {
    {"sleep", "wait a duration, then exit or exec COMMAND (preStop hooks)", RunSleep, &kSleepHelp},
    {"wait-http", "poll an HTTP(S) endpoint until it is ready, then exit or exec COMMAND",
     RunWaitHttp, &kWaitHttpHelp},
    {"wait-tcp", "wait until a TCP port accepts connections, then exit or exec COMMAND", RunWaitTcp,
     &kWaitTcpHelp},
    {"exec-with-delay", "run COMMAND, hold its stop signal back for a while (entrypoint)",
     RunExecWithDelay, &kExecWithDelayHelp},
    {"install", "copy linger into DIR, e.g. an emptyDir shared with another image", RunInstall,
     &kInstallHelp},
};

constexpr std::string_view kVersion = "linger " LINGER_VERSION "\n";

void PrintUsage() {
  fmt::print(
      "Usage: linger COMMAND [OPTIONS] [ARG...]\n\n"
      "Graceful shutdown for containers that have no shell.\n\nCommands:\n");
  for (const Command& c : kCommands) fmt::print("  {:<16} {}\n", c.name, c.summary);
  fmt::print(
      "  {:<16} {}\n  {:<16} {}\n\n"
      "Every command takes --quiet and --log PATH; 'linger help COMMAND' shows its "
      "options.\n",
      "version", "print the version (also --version, -V)", "help [COMMAND]",
      "show help (also --help, COMMAND --help)");
}

const Command* FindCommand(std::string_view name) {
  for (const Command& c : kCommands) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

int UnknownCommand(std::string_view name) {
  std::vector<std::string_view> names{"help", "version"};
  for (const Command& c : kCommands) names.push_back(c.name);
  std::string_view hint = ClosestMatch(name, names);
  if (name.starts_with("-")) {
    LogError("unknown option '{}' (try 'linger --help')", name);
  } else if (hint.empty()) {
    LogError("unknown command '{}' (try 'linger --help')", name);
  } else {
    LogError("unknown command '{}' (did you mean '{}'?)", name, hint);
  }
  return kExitUsage;
}

int Help(std::span<char* const> args) {
  if (args.empty()) {
    PrintUsage();
    return kExitSuccess;
  }
  const Command* command = FindCommand(args[0]);
  if (command == nullptr) return UnknownCommand(args[0]);
  fmt::print("{}", *command->help);
  return kExitSuccess;
}

int Main(std::span<char* const> args) {
  if (args.empty()) {
    LogError("missing COMMAND (try 'linger --help')");
    return kExitUsage;
  }
  std::string_view name = args[0];
  std::span<char* const> rest = args.subspan(1);
  if (name == "help" || name == "--help" || name == "-h") return Help(rest);
  if (name == "version" || name == "--version" || name == "-V") {
    fmt::print("{}", kVersion);
    return kExitSuccess;
  }
  const Command* command = FindCommand(name);
  if (command == nullptr) return UnknownCommand(name);
  return command->run(rest);
}

}  // namespace
}  // namespace linger

// libstdc++'s default terminate handler demangles the type of the uncaught exception for its
// message, which links the whole demangler into the static binary (about 50 KB of 830). linger
// throws nothing it means to survive, so abort() says as much.
namespace __gnu_cxx {
void __verbose_terminate_handler() { std::abort(); }
}  // namespace __gnu_cxx

int main(int argc, char** argv) {
  return linger::Main(std::span<char* const>(argv, static_cast<size_t>(argc)).subspan(argc > 0));
}
