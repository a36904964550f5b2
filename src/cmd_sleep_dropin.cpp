// linger under the name `sleep` (a copy at /bin/sleep, a symlink, `linger install --name sleep`):
// a drop-in for coreutils sleep, so that preStop hooks hard-coding ["sleep", "20"] in charts
// nobody can edit work in an image that has no sleep of its own.
#include <fmt/format.h>

#include "commands.h"
#include "exit_status.h"
#include "log.h"
#include "outcome.h"
#include "signals.h"
#include "sleep_args.h"
#include "text.h"

namespace linger {
namespace {

// {0} is the name linger was called by, as coreutils prints it.
constexpr std::string_view kDropInHelp = R"(Usage: {0} NUMBER[SUFFIX]...

Wait for the sum of the NUMBERs, then exit 0. NUMBER is a decimal (20, 0.5,
.5, 1e-1) or infinity; SUFFIX is s for seconds (the default), m for minutes,
h for hours or d for days. Prints nothing.

SIGTERM, SIGINT and SIGHUP end the wait at once with status 128+N, also when
it runs as PID 1. Signals inherited as ignored stay ignored.

This is linger {1} answering to the name sleep, in place of coreutils sleep;
under any other name the same file is linger, with more to offer for graceful
shutdown (linger --help).

Options:
  --help       show this help
  --version    print the version
)";

}  // namespace

int RunSleepDropIn(std::span<char* const> argv) {
  // Errors start with the name as called ("/bin/sleep: ..."), as coreutils' do; quoted, because
  // it is echoed.
  const std::string program = Printable(argv[0]);
  LogSetProgram(program);
  const SleepCommandLine line = ParseSleepCommandLine(argv.subspan(1));
  switch (line.action) {
    case SleepCommandLine::Action::kHelp:
      return Print(fmt::format(kDropInHelp, program, LINGER_VERSION));
    case SleepCommandLine::Action::kVersion:
      return Print("sleep (linger) " LINGER_VERSION "\n");
    case SleepCommandLine::Action::kUsageError:
      for (const std::string& error : line.errors) LogError("{}", error);
      return kExitFailure;  // coreutils' status for a bad command line, not linger's 2
    case SleepCommandLine::Action::kSleep:
      break;
  }

  Result<StopSignals> stop = StopSignals::Open(CurrentSignalState());
  if (!stop.ok()) return Fail(stop.error());
  std::optional<StopSignals::Clock::time_point> deadline;  // empty: forever
  if (line.total != Duration::max()) {
    deadline = DeadlineAfter(StopSignals::Clock::now(), line.total);
  }
  Result<int> sig = stop->WaitUntil(deadline);
  if (!sig.ok()) return Fail(sig.error());
  // Silent, as coreutils is; the status tells the signal.
  return *sig > 0 ? kExitSignalBase + *sig : kExitSuccess;
}

}  // namespace linger
