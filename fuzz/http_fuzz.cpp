// ResponseParser on any bytes. The first input byte picks HEAD or GET and seeds how the rest is cut
// up; the rest is the server's reply. Beyond not crashing: the reply fed whole and fed in random
// pieces (as recv hands it over) ends in the same state, status, reason, body, error and verdict;
// the body never exceeds its cap; the reason stays printable; bytes fed after the end change
// nothing.
#include <string>

#include "check.h"
#include "net/http.h"

namespace {

using linger::ResponseParser;

struct Outcome {
  ResponseParser::State state;
  int status;
  std::string reason, body, error, verdict;
};

Outcome Finish(ResponseParser& parser) {
  if (parser.state() == ResponseParser::State::kHead ||
      parser.state() == ResponseParser::State::kBody) {
    parser.Finish();
  }
  static const linger::IntList kStatuses = *linger::IntList::Parse("200-399", 100, 599, "status");
  linger::Verdict verdict = linger::Judge(parser, kStatuses, "ok");
  return {parser.state(),  parser.status(),
          parser.reason(), parser.body(),
          parser.error(),  fmt::format("{} {}", static_cast<int>(verdict.kind), verdict.detail)};
}

bool Same(const Outcome& a, const Outcome& b) {
  return a.state == b.state && a.status == b.status && a.reason == b.reason && a.body == b.body &&
         a.error == b.error && a.verdict == b.verdict;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  bool head = (data[0] & 1) != 0;
  std::uint32_t seed = data[0] | 1u;
  std::string_view reply = fuzz::AsText(data + 1, size - 1);

  ResponseParser whole(head);
  whole.Feed(reply);
  Outcome one_piece = Finish(whole);

  ResponseParser pieces(head);
  std::string_view rest = reply;
  while (!rest.empty()) {
    seed = seed * 1103515245u + 12345u;  // any cut is as good as another
    std::size_t n = std::min<std::size_t>(rest.size(), 1 + (seed >> 16) % 17);
    pieces.Feed(rest.substr(0, n));
    rest.remove_prefix(n);
  }
  Outcome many_pieces = Finish(pieces);
  fuzz::Check(Same(one_piece, many_pieces),
              "fed whole: state {} status {} error '{}'; in pieces: state {} status {} error '{}'",
              static_cast<int>(one_piece.state), one_piece.status, one_piece.error,
              static_cast<int>(many_pieces.state), many_pieces.status, many_pieces.error);

  fuzz::Check(one_piece.body.size() <= ResponseParser::kMaxBodyBytes, "body of {} bytes",
              one_piece.body.size());
  for (char c : one_piece.reason) {
    fuzz::Check(static_cast<unsigned char>(c) >= ' ' && c != 0x7f, "unprintable reason '{}'",
                one_piece.reason);
  }
  if (one_piece.state == ResponseParser::State::kComplete ||
      one_piece.state == ResponseParser::State::kBody) {
    fuzz::Check(one_piece.status >= 100 && one_piece.status <= 999, "status {}", one_piece.status);
  }
  // Bytes after the end of the response are ignored.
  whole.Feed(reply);
  fuzz::Check(Same(one_piece, Finish(whole)), "feeding after the end changed the outcome");
  return 0;
}
