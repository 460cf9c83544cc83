// Regression mode for the libFuzzer targets in this package: a gtest that
// feeds every file of the given corpus directories (or single files) to the
// target's LLVMFuzzerTestOneInput, the way `fuzzer CORPUS_DIR -runs=0`
// would, but built with the default gcc toolchain so `bazel test //...`
// replays the committed corpus on every run.
//
//   sweep_spec_corpus_test fuzz/corpus/sweep_spec deploy/sweeps
//
// A crash or abort in the target fails the test with the file's name as the
// last line logged. Finding no file at all is a failure, not a silent pass.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "gtest/gtest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace benchfleet::fuzz {
namespace {

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

TEST(CorpusTest, EveryFileRunsCleanly) {
  ASSERT_FALSE(Paths()->empty()) << "usage: corpus_test DIR_OR_FILE...";
  const std::vector<std::filesystem::path> files = CorpusFiles();
  ASSERT_FALSE(files.empty()) << "no corpus files found";
  for (const std::filesystem::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    ASSERT_TRUE(in) << "cannot read " << file;
    const std::string bytes((std::istreambuf_iterator<char>(in)),
                            std::istreambuf_iterator<char>());
    // Logged before the run: if the target crashes, this names the input.
    std::cerr << "running " << file.string() << " (" << bytes.size()
              << " bytes)\n";
    EXPECT_EQ(LLVMFuzzerTestOneInput(
                  reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()),
              0)
        << file;
  }
  std::cerr << "ran " << files.size() << " corpus files\n";
}

}  // namespace
}  // namespace benchfleet::fuzz

// Our own main (gtest_main's is not linked: an archive member is pulled in
// only for an undefined symbol) so the corpus paths reach the test.
int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) benchfleet::fuzz::Paths()->push_back(argv[i]);
  return RUN_ALL_TESTS();
}
