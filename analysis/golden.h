// Golden-file comparison for the renderers' tests (testonly).
//
// Goldens live in analysis/testdata/ and are compared byte for byte. To
// regenerate them after an intended change, run the test through `bazel run`
// with BENCHFLEET_UPDATE_GOLDENS=1, which writes into the source tree:
//
//   BENCHFLEET_UPDATE_GOLDENS=1 bazel run //analysis:svg_plot_test
//   BENCHFLEET_UPDATE_GOLDENS=1 bazel run //analysis:plots_test
//   BENCHFLEET_UPDATE_GOLDENS=1 bazel run //analysis:html_report_test
//
// then review the diff (open the .svg/.html files in a browser) and commit.
// On a mismatch under `bazel test` the actual output is also written to
// $TEST_UNDECLARED_OUTPUTS_DIR (bazel-testlogs/analysis/<test>/test.outputs).
#ifndef BENCHFLEET_ANALYSIS_GOLDEN_H_
#define BENCHFLEET_ANALYSIS_GOLDEN_H_

#include <string>

#include "gtest/gtest.h"

namespace benchfleet::analysis {

// Success when `actual` equals analysis/testdata/`name` byte for byte, or
// when updating goldens (see above) and the file was written.
::testing::AssertionResult MatchesGolden(const std::string& name,
                                         const std::string& actual);

// As MatchesGolden, for goldens in `dir`, a directory relative to the
// workspace root ("agent/models/testdata") that the test has as data.
::testing::AssertionResult MatchesGoldenIn(const std::string& dir,
                                           const std::string& name,
                                           const std::string& actual);

}  // namespace benchfleet::analysis

#endif  // BENCHFLEET_ANALYSIS_GOLDEN_H_
