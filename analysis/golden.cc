#include "analysis/golden.h"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

namespace benchfleet::analysis {
namespace {

bool ReadFile(const std::string& path, std::string* contents) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  *contents = buffer.str();
  return true;
}

bool WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  return static_cast<bool>(out);
}

// 1-based line and the two lines where `a` and `b` first differ.
std::string FirstDifference(const std::string& a, const std::string& b) {
  std::istringstream sa(a), sb(b);
  std::string la, lb;
  for (int line = 1;; ++line) {
    const bool ha = static_cast<bool>(std::getline(sa, la));
    const bool hb = static_cast<bool>(std::getline(sb, lb));
    if (!ha && !hb) return "no line differs (trailing bytes?)";
    if (!ha || !hb || la != lb) {
      return "line " + std::to_string(line) +
             "\n  golden: " + (ha ? la : "<end>") +
             "\n  actual: " + (hb ? lb : "<end>");
    }
  }
}

}  // namespace

::testing::AssertionResult MatchesGolden(const std::string& name,
                                         const std::string& actual) {
  return MatchesGoldenIn("analysis/testdata", name, actual);
}

::testing::AssertionResult MatchesGoldenIn(const std::string& dir,
                                           const std::string& name,
                                           const std::string& actual) {
  const char* update = std::getenv("BENCHFLEET_UPDATE_GOLDENS");
  const char* workspace = std::getenv("BUILD_WORKSPACE_DIRECTORY");
  if (update != nullptr && std::string(update) == "1") {
    if (workspace == nullptr) {
      return ::testing::AssertionFailure()
             << "BENCHFLEET_UPDATE_GOLDENS=1 needs `bazel run` (which sets "
                "BUILD_WORKSPACE_DIRECTORY)";
    }
    const std::string path = std::string(workspace) + "/" + dir + "/" + name;
    if (!WriteFile(path, actual)) {
      return ::testing::AssertionFailure() << "cannot write " << path;
    }
    std::cerr << "updated golden " << path << "\n";
    return ::testing::AssertionSuccess();
  }
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const std::string path =
      std::string(srcdir ? srcdir : ".") + "/benchfleet/" + dir + "/" + name;
  std::string golden;
  if (!ReadFile(path, &golden)) {
    return ::testing::AssertionFailure()
           << "missing golden " << path
           << "; create it with BENCHFLEET_UPDATE_GOLDENS=1 bazel run "
              "//<package>:<test>";
  }
  if (golden == actual) return ::testing::AssertionSuccess();
  if (const char* out = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR")) {
    WriteFile(std::string(out) + "/" + name, actual);
  }
  return ::testing::AssertionFailure()
         << "output differs from golden " << name << " at "
         << FirstDifference(golden, actual)
         << "\nIf the change is intended: BENCHFLEET_UPDATE_GOLDENS=1 bazel "
            "run //<package>:<test>";
}

}  // namespace benchfleet::analysis
