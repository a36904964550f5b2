// ParseSignal and ParseSignalList on any bytes. Beyond not crashing: an accepted signal is a real
// one; SignalName's spelling and the number read back to the same signal; case never matters
// ("TERM", "term"); a list is exactly its comma-separated items, each read by ParseSignal.
#include <signal.h>

#include <string>
#include <vector>

#include "check.h"
#include "signal_names.h"

namespace {

std::string WithCase(std::string_view text, bool upper) {
  std::string out(text);
  for (char& c : out) {
    if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

void CheckNames(int sig) {
  std::string name = linger::SignalName(sig);
  linger::Result<int> by_name = linger::ParseSignal(name);
  fuzz::Check(by_name.ok() && *by_name == sig, "SignalName({}) = '{}' does not read back", sig,
              name);
  linger::Result<int> by_number = linger::ParseSignal(std::to_string(sig));
  fuzz::Check(by_number.ok() && *by_number == sig, "'{}' does not read as {}", sig, sig);
}

// The list split on commas the plain way, for comparison with ParseSignalList.
std::vector<std::string_view> SplitOnCommas(std::string_view text) {
  std::vector<std::string_view> items;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == ',') {
      items.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return items;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = fuzz::AsText(data, size);

  linger::Result<int> sig = linger::ParseSignal(text);
  if (sig.ok()) {
    fuzz::Check(*sig >= 1 && *sig <= SIGRTMAX, "'{}' parses as {}, not a signal", text, *sig);
    CheckNames(*sig);
  }
  linger::Result<int> upper = linger::ParseSignal(WithCase(text, true));
  linger::Result<int> lower = linger::ParseSignal(WithCase(text, false));
  fuzz::Check(upper.ok() == lower.ok() && (!upper.ok() || *upper == *lower),
              "'{}' reads differently in upper and lower case", text);
  if (size > 0) CheckNames(data[0] % SIGRTMAX + 1);

  linger::Result<std::vector<int>> list = linger::ParseSignalList(text);
  std::vector<std::string_view> items = SplitOnCommas(text);
  bool all_ok = true;
  for (std::size_t i = 0; i < items.size(); ++i) {
    linger::Result<int> item = linger::ParseSignal(items[i]);
    all_ok = all_ok && item.ok();
    if (list.ok() && item.ok()) {
      fuzz::Check(list->size() == items.size() && (*list)[i] == *item,
                  "list '{}' disagrees with its item '{}'", text, items[i]);
    }
  }
  fuzz::Check(list.ok() == all_ok, "list '{}' is {} but its items are {}", text,
              list.ok() ? "accepted" : "refused", all_ok ? "all signals" : "not");
  return 0;
}
