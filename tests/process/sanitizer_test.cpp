// The dev build's sanitizers are alive where the process tests run linger: a leak and a signed
// overflow each end a program with a report and a failing status, also as PID 1 of a new pid
// namespace (LeakSanitizer stops the world with ptrace, which fails under strace or gdb).
#include <string>

#include "catch.h"
#include "process.h"

using test::Contains;
using test::Helper;
using test::Run;

namespace {

void CheckLeakReported(const test::Finished& r) {
  CHECK(r.status != 0);
  CHECK(Contains(r.err, "ERROR: LeakSanitizer: detected memory leaks"));
  CHECK(Contains(test::SanitizerReport(r.err), "LeakSanitizer"));
}

}  // namespace

TEST_CASE("LeakSanitizer reports a leak and fails the exit status") {
  CheckLeakReported(Run({Helper("leak_probe")}));
}

TEST_CASE("LeakSanitizer works as PID 1 of a pid namespace, where exec-with-delay runs") {
  if (!test::IsRoot()) LINGER_SKIP("unshare --pid needs root");
  CheckLeakReported(
      Run({"/usr/bin/unshare", "--pid", "--fork", "--mount-proc", Helper("leak_probe")}));
}

TEST_CASE("UBSan stops at the first undefined behaviour instead of carrying on") {
  auto r = Run({Helper("overflow_probe")});
  CHECK(r.status != 0);
  CHECK_FALSE(Contains(r.out, "continued"));
  CHECK(Contains(r.err, "runtime error: signed integer overflow"));
  CHECK(Contains(test::SanitizerReport(r.err), "runtime error"));
}
