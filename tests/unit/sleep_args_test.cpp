#include "sleep_args.h"

#include <string>
#include <vector>

#include "catch.h"

using namespace std::chrono_literals;
using linger::Duration;
using linger::IsSleepName;
using linger::ParseSleepCommandLine;
using linger::ParseSleepOperand;
using linger::SleepCommandLine;
using Action = SleepCommandLine::Action;

namespace {

constexpr Duration kForever = Duration::max();

// ParseSleepCommandLine on string literals.
SleepCommandLine Parse(std::vector<std::string> words) {
  std::vector<char*> args;
  for (std::string& w : words) args.push_back(w.data());
  return ParseSleepCommandLine(args);
}

}  // namespace

TEST_CASE("only the last path component named sleep makes linger answer as sleep") {
  for (const char* name : {"sleep", "/bin/sleep", "./sleep", "/usr/local/bin/sleep", "a//sleep"}) {
    INFO(name);
    CHECK(IsSleepName(name));
  }
  for (const char* name : {"linger", "/linger", "/bin/sleep/", "sleep2", "xsleep", "/sleep/linger",
                           "SLEEP", "sleep.exe", ""}) {
    INFO(name);
    CHECK_FALSE(IsSleepName(name));
  }
}

TEST_CASE("sleep operands read as coreutils reads them") {
  struct Case {
    const char* text;
    Duration expected;
  };
  const Case cases[] = {
      {"0", 0ns},
      {"20", 20s},
      {"0.5", 500ms},
      {".5", 500ms},
      {"1.", 1s},
      {"007", 7s},
      {"10.05", 10050ms},
      {"1e-1", 100ms},
      {"1E1", 10s},
      {"1.5e+2", 150s},
      {".25e1s", 2500ms},
      {"1e-1m", 6s},
      {"0.1s", 100ms},
      {"0.001m", 60ms},
      {"1m", 60s},
      {"1.5h", 90min},
      {"1d", 24h},
      {"0.5d", 12h},
      {"+1", 1s},
      {" 1", 1s},
      {"\t\n1", 1s},
      {"-0", 0ns},
      {"-0.0e5", 0ns},
      {"0e0", 0ns},
      {"1e-400", 1ns},  // rounded up: never shorter than asked
      {"0.0000000001", 1ns},
      {"0.0000000011", 2ns},
      {".001001000085h", 3603600306ns},  // the unit applies before rounding, found by fuzzing
      {"0.0000000001d", 8640ns},
      {"1.000000000000000000000000000", 1s},  // zeros are not a fraction to round up
      {"123456789.123456789", 123456789123456789ns},
      {"9223372036.854775806", Duration::max() - 1ns},
      {"inf", kForever},
      {"INF", kForever},
      {"infinity", kForever},
      {"Infinity", kForever},
      {"infs", kForever},
      {"infm", kForever},
      {"INFINITYd", kForever},
      {"+inf", kForever},
      {"1e400", kForever},
      {"1e99999999999999999999", kForever},
      {"9223372036.854775808", kForever},  // one nanosecond past ~292 years
      {"106752d", kForever},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    auto d = ParseSleepOperand(c.text);
    REQUIRE(d.ok());
    CHECK(d->count() == c.expected.count());
  }
}

TEST_CASE("bad sleep operands are coreutils' error, quoting the operand") {
  for (const char* text : {"",        "x",   "-1", "-0.1", "-inf",  "1y",  "1 ",  "1ss", "1S",
                           "1e",      "1e+", ".",  ".e1",  "e1",    "1,5", "nan", "NaN", "infi",
                           "infinit", "0x1", "--", "-",    "1m30s", "+-1", "1 1"}) {
    INFO(text);
    auto d = ParseSleepOperand(text);
    REQUIRE_FALSE(d.ok());
    CHECK(d.error().message == std::string("invalid time interval '") + text + "'");
  }
  auto control = ParseSleepOperand("a\nb\x1b[31m");
  REQUIRE_FALSE(control.ok());
  CHECK(control.error().message == "invalid time interval 'a\\nb\\x1b[31m'");
}

TEST_CASE("sleep operands are summed, forever absorbs the rest") {
  auto two = Parse({"0.1", "0.1"});
  CHECK(two.action == Action::kSleep);
  CHECK(two.total == 200ms);
  CHECK(Parse({"1m", "30s", "1"}).total == 91s);
  CHECK(Parse({"infinity", "1"}).total == kForever);
  CHECK(Parse({"5000000000", "5000000000"}).total == kForever);  // the sum, too, saturates
}

TEST_CASE("sleep's options: --help and --version, abbreviated, anywhere, and nothing else") {
  CHECK(Parse({"--help"}).action == Action::kHelp);
  CHECK(Parse({"--h"}).action == Action::kHelp);
  CHECK(Parse({"x", "--help"}).action == Action::kHelp);
  CHECK(Parse({"--help", "-x"}).action == Action::kHelp);
  CHECK(Parse({"--version"}).action == Action::kVersion);
  CHECK(Parse({"1", "--ver"}).action == Action::kVersion);
  CHECK(Parse({"--version", "--help"}).action == Action::kVersion);

  struct Case {
    std::vector<std::string> args;
    std::string error;
  };
  const Case cases[] = {
      {{}, "missing operand"},
      {{"--x"}, "unrecognized option '--x'"},
      {{"--helpx"}, "unrecognized option '--helpx'"},
      {{"--=1"}, "unrecognized option '--=1'"},
      {{"-x", "--help"}, "invalid option -- 'x'"},
      {{"-1"}, "invalid option -- '1'"},
      {{"-h"}, "invalid option -- 'h'"},
      {{"-\x01"}, "invalid option -- '\\x01'"},
      {{"--help=x"}, "option '--help' doesn't allow an argument"},
      {{"--vers=1"}, "option '--version' doesn't allow an argument"},
      {{"1", "--", "-x"}, "invalid time interval '-x'"},
      {{"--", "--help"}, "invalid time interval '--help'"},
  };
  for (const Case& c : cases) {
    INFO(c.error);
    auto line = Parse(c.args);
    CHECK(line.action == Action::kUsageError);
    CHECK(line.errors == std::vector<std::string>{c.error});
  }
}

TEST_CASE("every bad sleep operand is reported, not only the first") {
  auto line = Parse({"x", "1", "y"});
  CHECK(line.action == Action::kUsageError);
  CHECK(line.errors ==
        std::vector<std::string>{"invalid time interval 'x'", "invalid time interval 'y'"});
  // "--" ends the options wherever it is, and only the first one does.
  CHECK(Parse({"0.1", "--"}).action == Action::kSleep);
  CHECK(Parse({"--", "-0"}).action == Action::kSleep);
  // Only no word at all lacks an operand: a lone "--" sums no operand, to 0, as coreutils does.
  CHECK(Parse({"--"}).action == Action::kSleep);
  CHECK(Parse({"--"}).total == linger::Duration{0});
  CHECK(Parse({"--", "1", "--"}).errors == std::vector<std::string>{"invalid time interval '--'"});
}
