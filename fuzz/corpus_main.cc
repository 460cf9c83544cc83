// Regression mode for the libFuzzer targets in this package: a gtest that
// feeds every file of the given corpus directories (or single files) to the
// target's LLVMFuzzerTestOneInput, the way `fuzzer CORPUS_DIR -runs=0`
// would, but built with the default gcc toolchain so `bazel test //...`
// replays the committed corpus on every run.
//
//   sweep_spec_corpus_test fuzz/corpus/sweep_spec deploy/sweeps
//
// Each file runs in a child process of its own (this binary, re-run with
// --replay_one=FILE): the replay asserts that the child ran the input to the
// end and the target returned 0. A target checks its contracts by aborting
// (as under libFuzzer), so a broken contract, crash or non-zero return fails
// the test with the file's name, how the child ended and the end of what it
// printed, and the remaining files still run. Finding no file at all is a
// failure, not a silent pass.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern char** environ;

namespace benchfleet::fuzz {
namespace {

constexpr char kReplayOne[] = "--replay_one=";

std::vector<std::string>* Paths() {
  static auto* paths = new std::vector<std::string>;
  return paths;
}

// The files under each path, sorted so failures reproduce in order.
std::vector<std::filesystem::path> CorpusFiles() {
  std::vector<std::filesystem::path> files;
  for (const std::string& path : *Paths()) {
    if (std::filesystem::is_directory(path)) {
      for (const auto& entry :
           std::filesystem::recursive_directory_iterator(path))
        if (entry.is_regular_file()) files.push_back(entry.path());
    } else {
      files.emplace_back(path);
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

bool ReadFile(const std::string& path, std::string* bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  bytes->assign(std::istreambuf_iterator<char>(in),
                std::istreambuf_iterator<char>());
  return true;
}

// The child: runs one input; exit status 0 when the target returned 0.
int ReplayOne(const std::string& path) {
  std::string bytes;
  if (!ReadFile(path, &bytes)) {
    std::cerr << "cannot read " << path << "\n";
    return 2;
  }
  const int returned = LLVMFuzzerTestOneInput(
      reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  if (returned != 0) {
    std::cerr << "LLVMFuzzerTestOneInput returned " << returned << "\n";
    return 3;
  }
  return 0;
}

std::string TempDir() {
  for (const char* name : {"TEST_TMPDIR", "TMPDIR"})
    if (const char* v = std::getenv(name); v != nullptr && *v != '\0') return v;
  return "/tmp";
}

// Runs `file` in a child; "" when it exited 0, else how it ended and the
// last 2000 bytes of its stderr.
std::string ReplayInChild(const std::string& file) {
  const std::string log = TempDir() + "/replay_one.stderr";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::string self = "/proc/self/exe", flag = kReplayOne + file;
  char* argv[] = {self.data(), flag.data(), nullptr};
  pid_t pid = 0;
  const int spawned =
      posix_spawn(&pid, self.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return std::string("posix_spawn: ") + strerror(spawned);
  int status = 0;
  if (waitpid(pid, &status, 0) != pid)
    return std::string("waitpid: ") + strerror(errno);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "";
  std::ostringstream ended;
  if (WIFSIGNALED(status)) {
    ended << "killed by signal " << WTERMSIG(status) << " ("
          << strsignal(WTERMSIG(status)) << ")";
  } else {
    ended << "exited " << WEXITSTATUS(status);
  }
  std::string printed;
  ReadFile(log, &printed);
  if (printed.size() > 2000) printed = "..." + printed.substr(printed.size() - 2000);
  return ended.str() + "; it printed:\n" + printed;
}

TEST(CorpusTest, EveryFileRunsToTheEnd) {
  ASSERT_FALSE(Paths()->empty()) << "usage: corpus_test DIR_OR_FILE...";
  const std::vector<std::filesystem::path> files = CorpusFiles();
  ASSERT_FALSE(files.empty()) << "no corpus files found";
  int failed = 0;
  for (const std::filesystem::path& file : files) {
    const std::string problem = ReplayInChild(file.string());
    EXPECT_EQ(problem, "") << file.string();
    failed += !problem.empty();
  }
  std::cerr << "ran " << files.size() << " corpus files, " << failed
            << " failed\n";
}

}  // namespace
}  // namespace benchfleet::fuzz

// Our own main (gtest_main's is not linked: an archive member is pulled in
// only for an undefined symbol) so the corpus paths reach the test.
int main(int argc, char** argv) {
  if (argc == 2 && std::strncmp(argv[1], benchfleet::fuzz::kReplayOne,
                                std::strlen(benchfleet::fuzz::kReplayOne)) == 0)
    return benchfleet::fuzz::ReplayOne(
        argv[1] + std::strlen(benchfleet::fuzz::kReplayOne));
  testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) benchfleet::fuzz::Paths()->push_back(argv[i]);
  return RUN_ALL_TESTS();
}
