#include "cli.h"

#include <fmt/format.h>

#include <algorithm>

#include "text.h"

namespace linger {
namespace {

// The options every command takes, documented once.
constexpr OptionDoc kCommonOptions[] = {
    {"quiet", "", nullptr, "no informational lines (errors still print)"},
    {"log", "PATH", nullptr,
     "append linger's lines to PATH instead of stderr\n(--log /proc/1/fd/2 shows them in kubectl "
     "logs)"},
    {"help", "", nullptr, "show this help (also -h)"},
};

// "-5s" is a (negative) value to report as such, not an unknown option.
bool LooksLikeOption(std::string_view word) {
  return word.size() > 1 && word[0] == '-' && !IsDigit(word[1]);
}

// Optimal string alignment distance: edits plus adjacent swaps, so "quite" is one step from
// "quiet". Three rows of the table are enough, so memory stays linear in the candidate's length.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> before(b.size() + 1);
  std::vector<size_t> previous(b.size() + 1);
  std::vector<size_t> current(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      current[j] = std::min(
          {previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[b.size()];
}

Error UnknownOption(std::string_view word, std::string_view name, std::span<const OptionDoc> rows) {
  std::vector<std::string_view> names;
  for (auto table : {std::span<const OptionDoc>(kCommonOptions), rows}) {
    for (const OptionDoc& doc : table) names.push_back(doc.name);
  }
  std::string_view hint = ClosestMatch(name, names);
  if (hint.empty()) return Error::Usage(fmt::format("unknown option '{}'", Printable(word)));
  return Error::Usage(
      fmt::format("unknown option '{}' (did you mean '--{}'?)", Printable(word), hint));
}

// "  --name VALUE          help", with the help's further lines and the variable indented below.
void AppendOption(std::string& out, const OptionDoc& doc) {
  constexpr size_t kColumn = 24;
  std::string line =
      fmt::format("  --{}{}{}", doc.name, doc.value_name.empty() ? "" : " ", doc.value_name);
  std::string lines(doc.help);
  if (doc.env != nullptr) lines += fmt::format("\n[{}]", doc.env);
  for (std::string_view help : Split(lines, '\n')) {
    if (line.size() >= kColumn) {  // a long name gets a line of its own
      out += line + "\n";
      line.clear();
    }
    line.resize(kColumn, ' ');
    out += fmt::format("{}{}\n", line, help);
    line.clear();
  }
}

}  // namespace

std::string_view ClosestMatch(std::string_view word, std::span<const std::string_view> candidates) {
  std::string_view best;
  // Close means at most a third of the word changed: "slep" finds "sleep", "x" finds nothing. A
  // word three times longer than every candidate cannot be close, so absurd input costs nothing.
  size_t best_distance = word.size() / 3 + 1;
  for (std::string_view candidate : candidates) {
    if (word.size() > 3 * candidate.size() + 3) continue;
    size_t distance = EditDistance(word, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

Result<ParsedArgs> ParseArgs(std::span<char* const> args, std::span<const OptionDoc> rows,
                             OptionOrder order) {
  ParsedArgs parsed;
  auto start_command = [&](size_t from) {
    parsed.command.assign(args.begin() + static_cast<ptrdiff_t>(from), args.end());
    parsed.command.push_back(nullptr);
  };
  for (size_t i = 0; i < args.size(); ++i) {
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
    if (!word.starts_with("--"))
      return Error::Usage(fmt::format("unknown option '{}'", Printable(word)));
    std::string_view name = word.substr(2);
    std::string_view value;
    size_t equals = name.find('=');
    bool inline_value = equals != std::string_view::npos;
    if (inline_value) {
      value = name.substr(equals + 1);
      name = name.substr(0, equals);
    }
    auto by_name = [&](const OptionDoc& doc) { return doc.name == name; };
    auto common = std::find_if(std::begin(kCommonOptions), std::end(kCommonOptions), by_name);
    auto own = std::find_if(rows.begin(), rows.end(), by_name);
    const OptionDoc* doc = common != std::end(kCommonOptions) ? &*common
                           : own != rows.end()                ? &*own
                                                              : nullptr;
    if (doc == nullptr) return UnknownOption(word, name, rows);
    bool takes_value = !doc->value_name.empty();
    if (takes_value && !inline_value) {
      if (i + 1 >= args.size()) {
        return Error::Usage(fmt::format("option '--{}' needs a value", Printable(name)));
      }
      value = args[++i];
    } else if (!takes_value && inline_value) {
      return Error::Usage(fmt::format("option '--{}' takes no value", Printable(name)));
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
      parsed.options.emplace_back(static_cast<size_t>(own - rows.begin()), value);
    }
  }
  return parsed;
}

Result<void> CheckOperands(const ParsedArgs& parsed, const CommandDoc& command) {
  const std::vector<std::string_view>& positionals = parsed.positionals;
  if (!command.operand.empty() && positionals.empty()) {
    return Error::Usage(
        fmt::format("missing {} (try 'linger {} --help')", command.operand, command.name));
  }
  size_t allowed = command.operand.empty() ? 0 : command.operand_repeats ? positionals.size() : 1;
  if (positionals.size() > allowed) {
    std::string why = command.command == CommandArg::kNone
                          ? fmt::format("{} takes one {}", command.name, command.operand)
                          : "COMMAND goes after '--'";
    return Error::Usage(
        fmt::format("unexpected argument '{}' ({})", Printable(positionals[allowed]), why));
  }
  if (command.command == CommandArg::kNone && !parsed.command.empty()) {
    return Error::Usage(fmt::format("unexpected COMMAND '{}' ({} takes none)",
                                    Printable(parsed.command[0]), command.name));
  }
  if (command.command == CommandArg::kRequired && parsed.command.empty()) {
    return Error::Usage(fmt::format("missing COMMAND (try 'linger {} --help')", command.name));
  }
  return {};
}

std::string FormatHelp(const CommandDoc& command, std::span<const OptionDoc> rows) {
  std::string out = fmt::format("Usage: linger {} {}\n\n{}\nOptions", command.name,
                                command.synopsis, command.about);
  bool has_env = std::any_of(rows.begin(), rows.end(), [](const OptionDoc& d) { return d.env; });
  out += has_env ? " (environment fallback in brackets; flags win):\n" : ":\n";
  for (const OptionDoc& doc : rows) AppendOption(out, doc);
  for (const OptionDoc& doc : kCommonOptions) AppendOption(out, doc);
  if (!command.footer.empty()) out += fmt::format("\n{}", command.footer);
  return out;
}

}  // namespace linger
