#include "duration.h"

#include "catch.h"
#include "text.h"

using namespace std::chrono_literals;
using linger::Duration;
using linger::FormatDuration;
using linger::ParseDuration;

TEST_CASE("every valid duration form parses to its value") {
  struct Case {
    const char* text;
    Duration expected;
  };
  const Case cases[] = {
      {"0", 0ns},
      {"0s", 0ns},
      {"+0", 0ns},
      {"20", 20s},
      {"1.5", 1500ms},
      {".5", 500ms},
      {"500ms", 500ms},
      {"20s", 20s},
      {"1m30s", 90s},
      {"2h", 2h},
      {"1.5h", 90min},
      {"1ns", 1ns},
      {"1us", 1us},
      {"1\u00b5s", 1us},
      {"1\u03bcs", 1us},
      {"+5s", 5s},
      {"1.s", 1s},
      {".25m", 15s},
      {"1h2m3s4ms5us6ns", 1h + 2min + 3s + 4ms + 5us + 6ns},
      {"3s1h", 1h + 3s},
      {"0.000000001s", 1ns},
      {"1.0000000001s", 1s},  // below a nanosecond is dropped
      {"00020", 20s},
      {"9223372036854775807ns", Duration::max()},
      {"2562047h", 2562047h},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    auto d = ParseDuration(c.text);
    REQUIRE(d.ok());
    CHECK(*d == c.expected);
  }
}

TEST_CASE("every class of invalid duration is refused with a message naming it") {
  const char* cases[] = {
      "",  // empty
      "-1s",
      "-0",
      "-5",  // negative
      "1m30",
      "1s5",
      "1h30",  // a component without a unit after one with
      "5x",
      "5sec",
      "5S",
      "1d",
      "300y",  // unknown units
      "5 s",
      " 5s",
      "5s ",
      "5\t",  // spaces
      "s",
      ".",
      ".s",
      "+",
      "1..5s",
      "1.5.s",
      "e3",
      "1e3",  // not numbers
      "infinity",
      "inf",
      "forever",  // sleep handles these itself
      "9223372036854775808ns",
      "2562048h",
      "99999999999999999999s",  // over ~292 years
      "5000000000000000000000000000000000000000h",
  };
  for (const char* text : cases) {
    INFO(text);
    auto d = ParseDuration(text);
    REQUIRE_FALSE(d.ok());
    CHECK(d.error().message.find("'" + linger::Printable(text) + "'") != std::string::npos);
  }
}

TEST_CASE("durations format the way people write them") {
  CHECK(FormatDuration(0ns) == "0s");
  CHECK(FormatDuration(7ns) == "7ns");
  CHECK(FormatDuration(1500ns) == "1.5us");
  CHECK(FormatDuration(500ms) == "500ms");
  CHECK(FormatDuration(1250us) == "1.25ms");
  CHECK(FormatDuration(20s) == "20s");
  CHECK(FormatDuration(1500ms) == "1.5s");
  CHECK(FormatDuration(90s) == "1m30s");
  CHECK(FormatDuration(2h) == "2h");
  CHECK(FormatDuration(2h + 5s) == "2h5s");
  CHECK(FormatDuration(1h + 1ns) == "1h0.000000001s");
}

TEST_CASE("formatted durations parse back to the same value") {
  const Duration samples[] = {0ns, 1ns, 999ns, 1us,   1001us,   999999999ns,
                              1s,  61s, 59min, 3601s, 1h + 1ns, Duration::max()};
  for (Duration d : samples) {
    INFO(d.count());
    auto back = ParseDuration(FormatDuration(d));
    REQUIRE(back.ok());
    CHECK(*back == d);
  }
}

TEST_CASE("deadlines saturate instead of overflowing the monotonic clock") {
  using TimePoint = std::chrono::steady_clock::time_point;
  TimePoint up_a_day(24h);
  CHECK(linger::DeadlineAfter(up_a_day, 20s) == up_a_day + 20s);
  CHECK(linger::DeadlineAfter(up_a_day, 0s) == up_a_day);
  CHECK(linger::DeadlineAfter(up_a_day, Duration::max()) == TimePoint::max());
  auto almost_all = *ParseDuration("2562047h");
  CHECK(linger::DeadlineAfter(up_a_day, almost_all) == TimePoint::max());
  CHECK(linger::DeadlineAfter(TimePoint(), almost_all) == TimePoint(almost_all));
}
