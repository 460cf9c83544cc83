// A stand-in fuzz target for //fuzz:corpus_replay_test, which checks that the
// corpus replay (corpus_main.cc) fails for an input that breaks a contract
// (the target aborts) or that the target rejects, and passes for the rest.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  if (input.rfind("abort", 0) == 0) {
    std::fprintf(stderr, "replay_check_target: %s\n", input.c_str());
    std::abort();
  }
  return input.rfind("return 1", 0) == 0 ? 1 : 0;
}
