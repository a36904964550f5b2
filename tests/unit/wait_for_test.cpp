#include "wait_for.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <array>

#include "catch.h"

using namespace std::chrono_literals;
using linger::Precision;
using linger::WaitEnd;
using linger::WaitFor;
using Clock = std::chrono::steady_clock;

namespace {

// A pipe whose read end is never readable unless something is written.
struct Pipe {
  Pipe() { REQUIRE(pipe2(fds.data(), O_CLOEXEC) == 0); }
  ~Pipe() {
    close(fds[0]);
    close(fds[1]);
  }
  std::array<int, 2> fds{};
};

}  // namespace

// How close to the deadline an exact wait ends is a timing, measured by scripts/bench (the delay
// rows); here only what no load can change: it never ends early, and a wait of 1 s ends.
TEST_CASE("an exact wait never ends before its deadline") {
  Pipe idle;
  auto deadline = Clock::now() + 200ms;
  CHECK(WaitFor(idle.fds[0], POLLIN, -1, deadline, Precision::kExact) == WaitEnd::kTimedOut);
  CHECK(Clock::now() >= deadline);
}

TEST_CASE("a coarse wait never ends before its deadline") {
  Pipe idle;
  auto deadline = Clock::now() + 50ms;
  CHECK(WaitFor(idle.fds[0], POLLIN, -1, deadline, Precision::kCoarse) == WaitEnd::kTimedOut);
  CHECK(Clock::now() >= deadline);
}

TEST_CASE("WaitFor tells a ready descriptor, a stop and a past deadline apart") {
  for (Precision precision : {Precision::kExact, Precision::kCoarse}) {
    Pipe data;
    Pipe stop;
    CHECK(WaitFor(data.fds[0], POLLIN, stop.fds[0], Clock::now() - 1ms, precision) ==
          WaitEnd::kTimedOut);
    REQUIRE(write(data.fds[1], "x", 1) == 1);
    auto start = Clock::now();
    CHECK(WaitFor(data.fds[0], POLLIN, stop.fds[0], start + 30s, precision) == WaitEnd::kReady);
    CHECK(WaitFor(data.fds[0], POLLIN, -1, std::nullopt, precision) == WaitEnd::kReady);
    REQUIRE(write(stop.fds[1], "x", 1) == 1);
    // A pending stop wins over data that is ready too.
    CHECK(WaitFor(data.fds[0], POLLIN, stop.fds[0], start + 30s, precision) == WaitEnd::kStopped);
    CHECK(Clock::now() - start < 10s);
  }
}

TEST_CASE("WaitForAny says which of its descriptors are ready") {
  Pipe first, second;
  // The last entry is the wait's own, for its timer.
  std::array<pollfd, 3> fds = {pollfd{first.fds[0], POLLIN, 0}, pollfd{second.fds[0], POLLIN, 0},
                               pollfd{-1, 0, 0}};
  CHECK(linger::WaitForAny(fds, Clock::now() + 20ms, Precision::kCoarse) == WaitEnd::kTimedOut);
  CHECK(linger::WaitForAny(fds, Clock::now() + 20ms, Precision::kExact) == WaitEnd::kTimedOut);
  REQUIRE(write(second.fds[1], "x", 1) == 1);
  CHECK(linger::WaitForAny(fds, Clock::now() + 30s, Precision::kExact) == WaitEnd::kReady);
  CHECK(fds[0].revents == 0);
  CHECK(fds[1].revents == POLLIN);
  CHECK(linger::WaitForAny(fds, std::nullopt, Precision::kCoarse) == WaitEnd::kReady);
}
