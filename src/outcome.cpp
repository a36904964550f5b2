#include "outcome.h"

#include "duration.h"
#include "exit_status.h"
#include "log.h"
#include "signal_names.h"

namespace linger {

int Fail(const Error& error) {
  LogError("{}", error);
  return ExitStatusFor(error);
}

int Print(std::string_view text) {
  if (Result<void> printed = WriteOut(text); !printed.ok()) return Fail(printed.error());
  return kExitSuccess;
}

std::string FormatSince(std::chrono::steady_clock::time_point start) {
  return FormatDuration(std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start));
}

int StoppedBySignal(int sig, std::chrono::steady_clock::time_point start) {
  const int status = ExitStatusFor(Error::Stopped("", sig));
  LogInfo("{} after {}, exiting with {}", SignalName(sig), FormatSince(start), status);
  return status;
}

}  // namespace linger
