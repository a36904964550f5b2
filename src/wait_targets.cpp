#include "wait_targets.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

#include "exit_status.h"
#include "log.h"
#include "outcome.h"
#include "signals.h"
#include "spawn.h"
#include "text.h"
#include "wait_for.h"

namespace linger {
namespace {

using Clock = StopSignals::Clock;

// Forever is a deadline that never comes, which keeps every comparison simple.
Clock::time_point WaitDeadline(Clock::time_point start, const WaitTiming& timing) {
  return timing.timeout > Duration::zero() ? DeadlineAfter(start, timing.timeout)
                                           : Clock::time_point::max();
}

// The loop of one target. `report_fd` is -1 for a wait of one target; in the child that waits for
// one of several, it is the pipe that takes each new reason to the parent, whose last line then
// names the targets left: the child's lines name their target, and at the deadline it leaves
// quietly.
int Loop(std::string_view target, const WaitTiming& timing, const AttemptFunction& attempt,
         std::span<char* const> command, int report_fd) {
  const SignalState inherited = CurrentSignalState();
  Result<StopSignals> stop = StopSignals::Open(inherited);
  if (!stop.ok()) return Fail(stop.error());
  const auto start = Clock::now();
  const auto deadline = WaitDeadline(start, timing);
  LogInfo("waiting for {} (timeout {}, every {})", target,
          timing.timeout > Duration::zero() ? FormatDuration(timing.timeout) : "none",
          FormatDuration(timing.interval));

  std::string last_failure;
  // One for the whole wait, so that what a lookup learnt about the nameservers serves the next.
  Resolver resolver;
  while (true) {
    auto attempt_deadline = deadline;
    if (timing.request_timeout > Duration::zero()) {
      attempt_deadline = std::min(deadline, DeadlineAfter(Clock::now(), timing.request_timeout));
    }
    AttemptResult result = attempt(resolver, attempt_deadline, stop->fd());
    if (result.ok()) {
      LogInfo("{} is ready after {}: {}", target, FormatSince(start), *result);
      if (command.empty()) return kExitSuccess;
      return ExecCommand(command, inherited, *stop, start);
    }
    if (result.error().kind == ErrorKind::kStopped) break;
    const std::string& reason = result.error().message;
    // An attempt that the overall deadline cut short says only that time ran out: the reason
    // before it is the one worth reporting.
    bool cut_short = attempt_deadline == deadline && Clock::now() >= deadline;
    // One line per change of reason, not one per attempt: a long wait stays readable.
    if (reason != last_failure && !(cut_short && !last_failure.empty())) {
      last_failure = reason;
      if (report_fd < 0) {
        LogInfo("not ready: {}", reason);
      } else {
        LogInfo("{} not ready: {}", target, reason);
        // One short write to a pipe is whole (PIPE_BUF); a parent that is gone needs no reason.
        std::string line = Printable(last_failure) + "\n";
        (void)!write(report_fd, line.data(), line.size());
      }
    }
    Result<int> sig =
        stop->WaitUntil(std::min(deadline, DeadlineAfter(Clock::now(), timing.interval)));
    if (!sig.ok()) return Fail(sig.error());
    if (*sig > 0) return StoppedBySignal(*sig, start);
    if (Clock::now() >= deadline) {
      if (report_fd >= 0) return kExitFailure;
      return Fail(Error::TimedOut(
          fmt::format("gave up on {} after {}: {}", target, FormatSince(start), last_failure)));
    }
  }
  return StoppedBySignal(stop->Take(), start);
}

// A target being waited for by a child of its own.
struct Child {
  const WaitTarget* target;
  pid_t pid;            // 0 once reaped
  UniqueFd reasons;     // the read end of the child's pipe: its reasons, then end of file
  std::string pending;  // bytes of a reason not yet ended by its newline
  std::string reason;   // its last reason
  bool ready = false;
};

// Ends the children that are left; they hold nothing that needs a goodbye.
void EndChildren(std::vector<Child>& children) {
  for (const Child& child : children) {
    if (child.pid > 0) kill(child.pid, SIGKILL);
  }
  for (const Child& child : children) {
    while (child.pid > 0 && waitpid(child.pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
}

// Starts the child that waits for `target`: it exits 0 ready, 1 at the deadline, 128+N stopped.
Result<Child> StartChild(const WaitTarget& target, const WaitTiming& timing) {
  int ends[2];
  if (pipe2(ends, O_CLOEXEC) != 0) return Error::System("pipe2", errno);
  UniqueFd read_end(ends[0]);
  UniqueFd write_end(ends[1]);
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) return Error::System("fork", errno);
  if (pid == 0) {
    // A parent that dies by SIGKILL cannot end its children: the kernel does.
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(kExitFailure);
    _exit(Loop(target.name, timing, target.attempt, {}, write_end.get()));
  }
  return Child{&target, pid, std::move(read_end), "", ""};
}

// Reads what `child` wrote. Returns false at end of file: the child has exited, with `status`.
bool ReadReasons(Child& child, int& status) {
  char buffer[512];
  ssize_t n = read(child.reasons.get(), buffer, sizeof buffer);
  if (n < 0 && errno == EINTR) return true;
  if (n > 0) {
    child.pending.append(buffer, static_cast<size_t>(n));
    for (size_t end; (end = child.pending.find('\n')) != std::string::npos;) {
      child.reason = child.pending.substr(0, end);
      child.pending.erase(0, end + 1);
    }
    return true;
  }
  // Nothing more can be heard from a child whose pipe fails: it is ended like the rest.
  if (n < 0) kill(child.pid, SIGKILL);
  int wstatus = 0;
  pid_t reaped;
  while ((reaped = waitpid(child.pid, &wstatus, 0)) < 0 && errno == EINTR) {
  }
  child.pid = 0;
  status = reaped < 0 ? kExitFailure : ExitStatusFromWait(wstatus);
  return false;
}

// Ends the wait at its deadline: one line names the targets left, each with its last reason.
int GiveUp(std::vector<Child>& children, Clock::time_point start) {
  std::string left;
  for (const Child& child : children) {
    if (child.ready) continue;
    left += fmt::format("{}{} ({})", left.empty() ? "" : ", ", child.target->name,
                        child.reason.empty() ? "no attempt has ended" : child.reason);
  }
  EndChildren(children);
  return Fail(
      Error::TimedOut(fmt::format("gave up after {}; not ready: {}", FormatSince(start), left)));
}

}  // namespace

int RunWaitTargets(std::span<const WaitTarget> targets, const WaitTiming& timing,
                   std::span<char* const> command) {
  if (targets.size() == 1) return Loop(targets[0].name, timing, targets[0].attempt, command, -1);
  const SignalState inherited = CurrentSignalState();
  Result<StopSignals> stop = StopSignals::Open(inherited);
  if (!stop.ok()) return Fail(stop.error());
  // The children's exit statuses are needed, also when SIGCHLD came ignored; COMMAND gets the
  // inherited disposition back from ExecCommand.
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  if (sigaction(SIGCHLD, &default_action, nullptr) != 0) {
    return Fail(Error::System("sigaction", errno));
  }
  const auto start = Clock::now();
  const auto deadline = WaitDeadline(start, timing);
  std::vector<Child> children;
  for (const WaitTarget& target : targets) {
    Result<Child> child = StartChild(target, timing);
    if (!child.ok()) {
      EndChildren(children);
      return Fail(child.error());
    }
    children.push_back(std::move(*child));
  }
  // The stop signals, each child's pipe, and the wait's own entry. A child that is ready leaves
  // the poll: a negative descriptor is not watched.
  std::vector<pollfd> fds = {{stop->fd(), POLLIN, 0}};
  for (const Child& child : children) fds.push_back({child.reasons.get(), POLLIN, 0});
  fds.push_back({-1, 0, 0});
  std::optional<Clock::time_point> until;
  if (deadline != Clock::time_point::max()) until = deadline;
  for (size_t left = children.size(); left > 0;) {
    WaitEnd end = WaitForAny(fds, until, Precision::kExact);
    if (end == WaitEnd::kReady && fds[0].revents != 0) end = WaitEnd::kStopped;
    if (end == WaitEnd::kStopped) {
      if (int sig = stop->Take()) {
        EndChildren(children);
        return StoppedBySignal(sig, start);
      }
      continue;
    }
    if (end == WaitEnd::kTimedOut) return GiveUp(children, start);
    if (end == WaitEnd::kFailed) {
      Error error = Error::System("ppoll", errno);
      EndChildren(children);
      return Fail(error);
    }
    for (size_t i = 0; i < children.size(); ++i) {
      pollfd& polled = fds[i + 1];
      int status = kExitSuccess;
      if (polled.revents == 0 || ReadReasons(children[i], status)) continue;
      if (status == kExitFailure) return GiveUp(children, start);
      if (status != kExitSuccess) {
        // A child stopped by a signal (a whole process group's SIGINT) or one that failed: the
        // wait ends as it did, and the child has said why.
        EndChildren(children);
        return status;
      }
      children[i].ready = true;
      polled.fd = -1;
      --left;
    }
  }
  LogInfo("all {} targets are ready after {}", targets.size(), FormatSince(start));
  if (command.empty()) return kExitSuccess;
  return ExecCommand(command, inherited, *stop, start);
}

}  // namespace linger
