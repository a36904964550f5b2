// Prints the SigBlk and SigIgn lines of its own /proc/self/status, then exits 0: shows the signal
// state a command was started with.
#include <cstdio>
#include <cstring>

int main() {
  std::FILE* status = std::fopen("/proc/self/status", "r");
  if (status == nullptr) {
    std::perror("signal_state: /proc/self/status");
    return 1;
  }
  char line[256];
  while (std::fgets(line, sizeof line, status) != nullptr) {
    if (std::strncmp(line, "SigBlk:", 7) == 0 || std::strncmp(line, "SigIgn:", 7) == 0) {
      std::fputs(line, stdout);
    }
  }
  std::fclose(status);
  return 0;
}
