// Reading the small files linger depends on (/etc/hosts, /etc/resolv.conf, a trust store) in a
// way that can neither block nor grow without bound.
#pragma once

#include <string>

#include "result.h"

namespace linger {

// The start of a file, and whether it is the whole file.
struct FileHead {
  std::string text;
  bool complete = false;  // false when the file is longer than what was read
};

// The first `limit` bytes of the regular file at `path`; a kNotFound error when no file is there.
// Errors say why without the path. A FIFO, a device or a directory is an error that says what it
// is: opening a FIFO for reading would otherwise wait for a writer forever, past every deadline and
// SIGTERM (fifo(7)).
Result<FileHead> ReadFileHead(const char* path, size_t limit);

}  // namespace linger
