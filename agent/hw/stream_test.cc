#include "agent/hw/stream.h"

#include <vector>

#include "gtest/gtest.h"

namespace benchfleet::hw {
namespace {

TEST(StreamTest, CountsBytesTheStreamWay) {
  EXPECT_EQ(StreamBytes(StreamKernel::kCopy, 1000), 16000);
  EXPECT_EQ(StreamBytes(StreamKernel::kScale, 1000), 16000);
  EXPECT_EQ(StreamBytes(StreamKernel::kAdd, 1000), 24000);
  EXPECT_EQ(StreamBytes(StreamKernel::kTriad, 1000), 24000);
}

TEST(StreamTest, SmallArraysValidateOnEveryKernelSetAndThreadCount) {
  for (const kernels::KernelSet* k : kernels::SupportedKernels()) {
    for (int threads : {1, 3}) {
      SCOPED_TRACE(std::string(k->isa) + " threads " + std::to_string(threads));
      StreamOptions o;
      o.threads = threads;
      o.array_elements = 10007;  // not a multiple of any vector width
      o.ntimes = 4;
      o.kernels = k;
      absl::StatusOr<StreamResult> r = RunStream(o);
      ASSERT_TRUE(r.ok()) << r.status();
      EXPECT_GT(r->copy, 0);
      EXPECT_GT(r->scale, 0);
      EXPECT_GT(r->add, 0);
      EXPECT_GT(r->triad, 0);
      EXPECT_EQ(r->array_elements, 10007);
      EXPECT_EQ(r->isa, k->isa);
    }
  }
}

TEST(StreamTest, ValidationCatchesWrongResults) {
  // Expected values after 2 iterations with scalar 3 (STREAM's recurrence
  // from a = 1, b = 2, c = 0): c = 1, b = 3, c = 4, a = 15; then c = 15,
  // b = 45, c = 60, a = 225.
  const int64_t n = 100;
  std::vector<double> a(n, 225), b(n, 45), c(n, 60);
  EXPECT_TRUE(CheckStreamResults(a.data(), b.data(), c.data(), n, 2, 3).ok());
  a[17] = 224;
  const absl::Status bad =
      CheckStreamResults(a.data(), b.data(), c.data(), n, 2, 3);
  EXPECT_EQ(bad.code(), absl::StatusCode::kDataLoss);
}

TEST(StreamTest, RejectsBadOptions) {
  StreamOptions o;
  EXPECT_EQ(RunStream(o).status().code(), absl::StatusCode::kInvalidArgument);
  o.array_elements = 100;
  o.ntimes = 1;  // nothing left after dropping the first iteration
  EXPECT_EQ(RunStream(o).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace benchfleet::hw
