// The shipped binary's ELF headers: static, no interpreter, built for the target machine, small
// enough for a ConfigMap. Built for the target and, when cross compiled, run under qemu-user.
#include <elf.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include "catch.h"

namespace {

#if defined(__aarch64__)
constexpr std::uint16_t kMachine = EM_AARCH64;
#elif defined(__x86_64__)
constexpr std::uint16_t kMachine = EM_X86_64;
#else
#error "linger ships for x86-64 and arm64 only"
#endif

std::string ReadBinary(const char* path) {
  std::string data;
  std::FILE* file = std::fopen(path, "rbe");
  if (file == nullptr) return data;
  char chunk[65536];
  size_t n;
  while ((n = std::fread(chunk, 1, sizeof chunk, file)) > 0) data.append(chunk, n);
  std::fclose(file);
  return data;
}

}  // namespace

TEST_CASE("the release binary has no interpreter, no DT_NEEDED and fits in a ConfigMap") {
  std::string elf = ReadBinary(LINGER_BIN);
  INFO(LINGER_BIN << ": " << elf.size() << " bytes");
  REQUIRE(elf.size() > sizeof(Elf64_Ehdr));
  CHECK(elf.size() <= 1'000'000);
  Elf64_Ehdr header;
  std::memcpy(&header, elf.data(), sizeof header);
  REQUIRE(std::memcmp(header.e_ident, ELFMAG, SELFMAG) == 0);
  REQUIRE(header.e_ident[EI_CLASS] == ELFCLASS64);
  CHECK(header.e_machine == kMachine);
  for (size_t i = 0; i < header.e_phnum; ++i) {
    Elf64_Phdr ph;
    size_t offset = header.e_phoff + i * header.e_phentsize;
    REQUIRE(offset + sizeof ph <= elf.size());
    std::memcpy(&ph, elf.data() + offset, sizeof ph);
    CHECK(ph.p_type != PT_INTERP);
    if (ph.p_type != PT_DYNAMIC) continue;
    // A static-pie binary has a dynamic section for its own relocations, but needs nothing.
    for (size_t at = ph.p_offset; at + sizeof(Elf64_Dyn) <= ph.p_offset + ph.p_filesz;
         at += sizeof(Elf64_Dyn)) {
      Elf64_Dyn dyn;
      std::memcpy(&dyn, elf.data() + at, sizeof dyn);
      if (dyn.d_tag == DT_NULL) break;
      CHECK(dyn.d_tag != DT_NEEDED);
    }
  }
}
