#include "supervisor.h"

#include <fmt/format.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>

#include "exit_status.h"
#include "log.h"
#include "outcome.h"
#include "ready_server.h"
#include "signal_names.h"
#include "signals.h"
#include "spawn.h"
#include "traffic.h"
#include "wait_for.h"

namespace linger {
namespace {

using Clock = std::chrono::steady_clock;

// Where the stop signal is.
enum class Phase {
  kRunning,   // no held-back signal yet
  kDelaying,  // one arrived; COMMAND keeps serving until delay_end_
  kStopping,  // COMMAND got its stop signal; everything is forwarded as it comes
};

class Supervisor {
 public:
  Supervisor(const ExecOptions& options, const char* name, pid_t child, UniqueFd signals,
             ReadyServer* ready)
      : options_(options),
        name_(name),
        child_(child),
        signals_(std::move(signals)),
        ready_(ready) {}

  // The loop: reap, act on due deadlines, sleep in the kernel until a signal or the next deadline,
  // handle the signals. Only COMMAND's exit ends it: once the child runs, errors are warnings,
  // because a PID 1 that bails out takes the whole container down with it.
  int Run() {
    while (true) {
      if (std::optional<int> status = Reap()) return Finish(*status);
      ActOnDeadlines();
      Sleep();
      ReadSignals();
      if (ready_) ready_->Serve(std::span(polled_).first(polled_count_), Clock::now());
    }
  }

 private:
  // Collects every exited child and returns COMMAND's status once it is among them. SIGCHLDs
  // coalesce, so one wake-up may stand for many exits: loop until 0 or ECHILD. COMMAND is known
  // only by the pid waitpid returns, never by ssi_pid of a SIGCHLD (the hang catatonit once had).
  // As PID 1, orphans are re-parented here, and this loop is what keeps them from piling up as
  // zombies.
  std::optional<int> Reap() {
    std::optional<int> status;
    while (true) {
      int wait_status = 0;
      pid_t pid = waitpid(-1, &wait_status, WNOHANG);
      if (pid == 0) break;
      if (pid < 0) {
        if (errno == EINTR) continue;
        if (errno != ECHILD) LogWarn("waitpid: {}", std::strerror(errno));
        break;
      }
      if (pid == child_) status = ExitStatusFromWait(wait_status);
    }
    return status;
  }

  int Finish(int status) {
    bool success = options_.success_exit.Contains(status);
    if (phase_ != Phase::kRunning) {
      LogInfo("'{}' exited with status {}{}", name_, status, success ? ", reported as 0" : "");
    }
    return success ? kExitSuccess : status;
  }

  void ActOnDeadlines() {
    Clock::time_point now = Clock::now();
    if (phase_ == Phase::kDelaying && watch_) {
      // One step at a time: a signal that arrives during a look is forwarded before the next.
      if (std::optional<TrafficWatch::Verdict> verdict = watch_->Step(now);
          verdict && *verdict != TrafficWatch::Verdict::kBusy) {
        LogInfo("{}", watch_->EndReason(*verdict));
        delay_end_ = Clock::now();
      }
      now = Clock::now();
    }
    if (phase_ == Phase::kDelaying && now >= delay_end_) {
      watch_.reset();  // its netlink socket is not needed any more
      int sig = options_.signal != 0 ? options_.signal : held_;
      LogInfo("sending {} to '{}'", SignalName(sig), name_);
      Send(sig);
      phase_ = Phase::kStopping;
      if (options_.kill_after) kill_at_ = DeadlineAfter(now, *options_.kill_after);
    }
    if (kill_at_ && now >= *kill_at_) {
      LogInfo("'{}' still runs {} after its stop signal, sending SIGKILL", name_,
              FormatDuration(*options_.kill_after));
      Send(SIGKILL);
      kill_at_.reset();
    }
  }

  // Blocks until the signalfd or a descriptor of the ready port is ready, or the next deadline
  // passes. With no deadline pending there is no timeout at all, so an idle linger never wakes up
  // (tini polls every second). An exact wait ends a 20 s delay on time, where ppoll's own timeout
  // would be 20 ms late.
  void Sleep() {
    std::optional<Clock::time_point> deadline = kill_at_;
    if (phase_ == Phase::kDelaying) {
      Clock::time_point next = watch_ ? std::min(watch_->NextStep(), delay_end_) : delay_end_;
      deadline = deadline ? std::min(*deadline, next) : next;
    }
    polled_[0] = {signals_.get(), POLLIN, 0};
    polled_count_ = 1;
    // While a look is under way, also until the kernel's next datagram arrives, which takes well
    // under a millisecond: the look's own deadline needs no timer of its own.
    const int look = watch_ && phase_ == Phase::kDelaying ? watch_->fd() : -1;
    if (look >= 0) polled_[polled_count_++] = {look, POLLIN, 0};
    if (ready_) {
      polled_count_ += ready_->Watch(std::span(polled_).subspan(polled_count_));
      std::optional<Clock::time_point> next = ready_->NextDeadline();
      if (next) deadline = deadline ? std::min(*deadline, *next) : *next;
    }
    // One more entry for the wait's timer.
    std::span<pollfd> fds = std::span(polled_).first(polled_count_ + 1);
    if (WaitForAny(fds, deadline, look < 0 ? Precision::kExact : Precision::kCoarse) ==
        WaitEnd::kFailed) {
      LogWarn("ppoll: {}", std::strerror(errno));
    }
  }

  void ReadSignals() {
    signalfd_siginfo infos[8];
    while (true) {
      ssize_t n = read(signals_.get(), infos, sizeof infos);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (n < 0 && errno != EAGAIN) LogWarn("reading signals: {}", std::strerror(errno));
        return;
      }
      for (size_t i = 0; i < static_cast<size_t>(n) / sizeof infos[0]; ++i) {
        // A signal linger caused itself (SIGPIPE or SIGXFSZ from writing its log) is not news
        // for COMMAND.
        if (static_cast<pid_t>(infos[i].ssi_pid) == self_) continue;
        OnSignal(static_cast<int>(infos[i].ssi_signo));
      }
    }
  }

  void OnSignal(int sig) {
    if (sig == SIGCHLD) return;  // Reap() runs on every wake-up
    bool held = std::find(options_.delay_on.begin(), options_.delay_on.end(), sig) !=
                options_.delay_on.end();
    if (!held || phase_ == Phase::kStopping) {
      Send(sig);
    } else if (phase_ == Phase::kRunning) {
      phase_ = Phase::kDelaying;
      held_ = sig;
      const Clock::time_point now = Clock::now();
      delay_end_ = DeadlineAfter(now, options_.delay);
      const std::string ready = ready_ ? ready_->Drain(now) : std::string();
      if (options_.idle.idle) {
        StartWatch(sig, now, ready);
      } else {
        LogInfo("{} received, delaying it {} while '{}' keeps running{}", SignalName(sig),
                FormatDuration(options_.delay), name_, ready);
      }
    } else {
      // Someone means it: a second stop signal (docker stop twice, Ctrl-C twice) ends the delay.
      LogInfo("second {} received, ending the delay", SignalName(sig));
      delay_end_ = Clock::now();
    }
  }

  // Starts watching the serving ports for --until-idle, or says why it cannot and keeps the full
  // delay. The first look is due at once.
  void StartWatch(int sig, Clock::time_point now, const std::string& ready) {
    Result<TrafficWatch> started = TrafficWatch::Start(options_.idle, now, delay_end_, ready_);
    if (!started.ok()) {
      LogInfo("{} received, cannot watch the traffic ({}), waiting the full {}{}", SignalName(sig),
              started.error(), FormatDuration(options_.delay), ready);
      return;
    }
    watch_.emplace(std::move(*started));
    LogInfo("{} received, delaying it up to {} {}{}", SignalName(sig),
            FormatDuration(options_.delay), watch_->Watching(), ready);
  }

  void Send(int sig) const {
    // ESRCH: COMMAND (or its whole group) has exited and is not reaped yet; Reap() will see it.
    if (kill(options_.group ? -child_ : child_, sig) != 0 && errno != ESRCH) {
      LogWarn("cannot send {} to '{}': {}", SignalName(sig), name_, std::strerror(errno));
    }
  }

  const ExecOptions& options_;
  const char* name_;
  const pid_t child_;
  const pid_t self_ = getpid();
  const UniqueFd signals_;
  Phase phase_ = Phase::kRunning;
  int held_ = 0;                 // the signal that started the delay
  Clock::time_point delay_end_;  // valid in kDelaying
  std::optional<Clock::time_point> kill_at_;
  std::optional<TrafficWatch> watch_;  // while an until-idle delay runs
  ReadyServer* const ready_;           // --ready-port, or nullptr
  // The last Sleep()'s descriptors and what it saw: the signalfd, a look's netlink socket, the
  // ready port's, a timer.
  std::array<pollfd, 1 + 1 + ReadyServer::kMaxWatched + 1> polled_{};
  size_t polled_count_ = 0;  // the entries before the timer's
};

}  // namespace

int Supervise(std::span<char* const> command, const ExecOptions& options) {
  const SignalState inherited = CurrentSignalState();
  // With SIGCHLD ignored the kernel reaps children itself and waitpid never reports COMMAND's
  // status (waitpid(2), NOTES); linger takes the default back, and the child gets SIG_IGN again
  // from RestoreSignalState.
  if (sigismember(&inherited.ignored, SIGCHLD) == 1 && signal(SIGCHLD, SIG_DFL) == SIG_ERR) {
    return Fail(Error::System("cannot reset SIGCHLD", errno));
  }
  // Block before fork: a signal that arrived between fork and the loop would otherwise kill linger
  // or be lost. Blocking, not handlers, also leaves every disposition as inherited, so the child
  // gets exactly what linger was given. Signals inherited as ignored stay ignored (nohup).
  sigset_t set;
  sigemptyset(&set);
  AddSignal(set, SIGCHLD);
  for (int sig = 1; sig <= SIGRTMAX; ++sig) {
    if (IsForwardable(sig) && sigismember(&inherited.ignored, sig) != 1) AddSignal(set, sig);
  }
  Result<UniqueFd> signals = BlockIntoSignalFd(set);
  if (!signals.ok()) return Fail(signals.error());
  // The ready port answers from before COMMAND starts; one that cannot be bound stops here.
  std::optional<ReadyServer> ready;
  if (options.ready.port != 0) {
    Result<void> listening = ready.emplace(options.ready).Listen();
    if (!listening.ok()) return Fail(listening.error());
  }
  Result<pid_t> child = SpawnCommand(command, inherited, options.group);
  if (!child.ok()) return Fail(child.error());
  return Supervisor(options, command[0], *child, std::move(*signals), ready ? &*ready : nullptr)
      .Run();
}

}  // namespace linger
