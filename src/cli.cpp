#include "cli.h"

#include <fmt/format.h>

#include <algorithm>

namespace linger {
namespace {

constexpr OptionSpec kCommonOptions[] = {{"help", false}, {"quiet", false}, {"log", true}};

const OptionSpec* FindSpec(std::string_view name, std::span<const OptionSpec> specs) {
  for (auto table : {std::span<const OptionSpec>(kCommonOptions), specs}) {
    for (const OptionSpec& spec : table) {
      if (spec.name == name) return &spec;
    }
  }
  return nullptr;
}

// "-5s" is a (negative) value to report as such, not an unknown option.
bool LooksLikeOption(std::string_view word) {
  return word.size() > 1 && word[0] == '-' && !(word[1] >= '0' && word[1] <= '9');
}

// Optimal string alignment distance: edits plus adjacent swaps, so "quite" is one step from
// "quiet".
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min(
          {d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

Error UnknownOption(std::string_view word, std::string_view name,
                    std::span<const OptionSpec> specs) {
  std::vector<std::string_view> names;
  for (auto table : {std::span<const OptionSpec>(kCommonOptions), specs}) {
    for (const OptionSpec& spec : table) names.push_back(spec.name);
  }
  std::string_view hint = ClosestMatch(name, names);
  if (hint.empty()) return Error{fmt::format("unknown option '{}'", word)};
  return Error{fmt::format("unknown option '{}' (did you mean '--{}'?)", word, hint)};
}

}  // namespace

std::string_view ClosestMatch(std::string_view word, std::span<const std::string_view> candidates) {
  std::string_view best;
  // Close means at most a third of the word changed: "slep" finds "sleep", "x" finds nothing.
  size_t best_distance = word.size() / 3 + 1;
  for (std::string_view candidate : candidates) {
    size_t distance = EditDistance(word, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

Result<ParsedArgs> ParseArgs(std::span<char* const> args, std::span<const OptionSpec> specs,
                             OptionOrder order) {
  ParsedArgs parsed;
  size_t i = 0;
  auto start_command = [&](size_t from) {
    parsed.command.assign(args.begin() + static_cast<ptrdiff_t>(from), args.end());
    parsed.command.push_back(nullptr);
  };
  for (; i < args.size(); ++i) {
    std::string_view word = args[i];
    if (word == "--") {
      if (i + 1 < args.size()) start_command(i + 1);
      return parsed;
    }
    if (word == "-h") word = "--help";
    if (!LooksLikeOption(word)) {
      if (order == OptionOrder::kUntilCommand) {
        start_command(i);
        return parsed;
      }
      parsed.positionals.push_back(word);
      continue;
    }
    if (!word.starts_with("--")) return Error{fmt::format("unknown option '{}'", word)};
    std::string_view name = word.substr(2);
    std::string_view value;
    size_t equals = name.find('=');
    bool inline_value = equals != std::string_view::npos;
    if (inline_value) {
      value = name.substr(equals + 1);
      name = name.substr(0, equals);
    }
    const OptionSpec* spec = FindSpec(name, specs);
    if (spec == nullptr) return UnknownOption(word, name, specs);
    if (spec->takes_value && !inline_value) {
      if (i + 1 >= args.size()) return Error{fmt::format("option '--{}' needs a value", name)};
      value = args[++i];
    } else if (!spec->takes_value && inline_value) {
      return Error{fmt::format("option '--{}' takes no value", name)};
    }
    if (name == "help") {
      parsed.help = true;
      return parsed;
    }
    if (name == "quiet") {
      parsed.quiet = true;
    } else if (name == "log") {
      parsed.log = value;
    } else {
      parsed.options.push_back({name, value});
    }
  }
  return parsed;
}

}  // namespace linger
