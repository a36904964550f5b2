#include "signal_names.h"

#include <signal.h>

#include "catch.h"

using linger::ParseSignal;
using linger::ParseSignalList;
using linger::SignalName;

TEST_CASE("signals are read by name in any case, with or without SIG, or by number") {
  for (const char* text : {"TERM", "SIGTERM", "term", "SigTerm", "15"}) {
    INFO(text);
    auto sig = ParseSignal(text);
    REQUIRE(sig.ok());
    CHECK(*sig == SIGTERM);
  }
  CHECK(*ParseSignal("QUIT") == SIGQUIT);
  CHECK(*ParseSignal("USR1") == SIGUSR1);
  CHECK(*ParseSignal("WINCH") == SIGWINCH);
  CHECK(*ParseSignal("KILL") == SIGKILL);
  CHECK(*ParseSignal("9") == SIGKILL);
  CHECK(*ParseSignal("CHLD") == SIGCHLD);
  CHECK(*ParseSignal("CLD") == SIGCHLD);
  CHECK(*ParseSignal("RTMIN") == SIGRTMIN);
  CHECK(*ParseSignal("SIGRTMIN+3") == SIGRTMIN + 3);
  CHECK(*ParseSignal("rtmax-1") == SIGRTMAX - 1);
}

TEST_CASE("invalid signals are refused with a message naming them") {
  for (const char* text : {"", "0", "-15", "65", "999999999999", "FOO", "SIG", "SIGTERMX", "TERM ",
                           " 15", "15x", "RTMIN+", "RTMIN-1", "RTMAX+1", "RTMIN+99", "+15"}) {
    INFO(text);
    auto sig = ParseSignal(text);
    REQUIRE_FALSE(sig.ok());
    CHECK(sig.error().message == std::string("invalid signal '") + text + "'");
  }
}

TEST_CASE("a negative real-time offset is refused, not counted the other way (RTMAX--130)") {
  // Found by fuzz/signal_names_fuzz.cpp: "RTMAX--130" was read as signal 194, "RTMIN+-5" as 29.
  for (const char* text : {"RTMAX--130", "rtmax--1", "RTMIN+-5", "SIGRTMIN+-0"}) {
    INFO(text);
    CHECK_FALSE(ParseSignal(text).ok());
  }
}

TEST_CASE("signal lists are comma-separated") {
  auto list = ParseSignalList("TERM,QUIT,10");
  REQUIRE(list.ok());
  CHECK(*list == std::vector<int>{SIGTERM, SIGQUIT, SIGUSR1});
  for (const char* text : {"", "TERM,", ",TERM", "TERM,,QUIT", "TERM;QUIT", "TERM, QUIT"}) {
    INFO(text);
    auto bad = ParseSignalList(text);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message.find(std::string("'") + text + "'") != std::string::npos);
  }
}

TEST_CASE("every signal's name reads back as the same number") {
  CHECK(SignalName(SIGTERM) == "SIGTERM");
  CHECK(SignalName(SIGRTMIN + 2) == "SIGRTMIN+2");
  for (int sig = 1; sig <= SIGRTMAX; ++sig) {
    INFO(sig);
    auto back = ParseSignal(SignalName(sig));
    REQUIRE(back.ok());
    CHECK(*back == sig);
  }
}

TEST_CASE("forwardable signals: every catchable one but SIGCHLD") {
  for (int sig : {SIGHUP,  SIGINT,  SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE,  SIGALRM,  SIGTERM,
                  SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG,  SIGWINCH, SIGPWR,   SIGSEGV,
                  SIGBUS,  SIGFPE,  SIGILL,  SIGABRT, SIGTRAP, SIGSYS,   SIGRTMIN, SIGRTMAX}) {
    INFO(sig);
    CHECK(linger::IsForwardable(sig));
  }
  for (int sig : {0, SIGKILL, SIGSTOP, SIGCHLD, 32, 33, SIGRTMAX + 1}) {
    INFO(sig);
    CHECK_FALSE(linger::IsForwardable(sig));
  }
}
