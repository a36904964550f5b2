// ParseDuration on any bytes. Beyond not crashing: what it accepts is never negative, and
// FormatDuration prints every duration (parsed, or taken raw from the input) in a form that
// ParseDuration reads back exactly, since log lines and --help show durations in that form.
#include <cstring>
#include <string>

#include "check.h"
#include "duration.h"

namespace {

using linger::Duration;

void CheckRoundTrip(Duration d) {
  std::string text = linger::FormatDuration(d);
  linger::Result<Duration> back = linger::ParseDuration(text);
  fuzz::Check(back.ok(), "FormatDuration({}ns) = '{}' is refused: {}", d.count(), text,
              back.error());
  fuzz::Check(*back == d, "'{}' reads back as {}ns, not {}ns", text, back->count(), d.count());
}

bool AllDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = fuzz::AsText(data, size);
  linger::Result<Duration> parsed = linger::ParseDuration(text);
  if (parsed.ok()) {
    fuzz::Check(parsed->count() >= 0, "'{}' parses as negative {}ns", text, parsed->count());
    CheckRoundTrip(*parsed);
  }
  // A bare number of up to 9 digits is that many seconds ("20" in a preStop hook).
  if (size <= 9 && AllDigits(text)) {
    fuzz::Check(parsed.ok() && *parsed == std::chrono::seconds(std::stoll(std::string(text))),
                "bare number '{}' is not read as seconds", text);
  }
  // Every non-negative duration, not only those the parser produced.
  if (size >= sizeof(std::int64_t)) {
    std::int64_t raw;
    std::memcpy(&raw, data, sizeof raw);
    CheckRoundTrip(Duration{raw & INT64_MAX});
  }
  return 0;
}
