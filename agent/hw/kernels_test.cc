#include "agent/hw/kernels.h"

#include <cmath>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace benchfleet::hw::kernels {
namespace {

TEST(KernelsTest, BestIsTheFirstSupportedAndPortableIsLast) {
  const std::vector<const KernelSet*> sets = SupportedKernels();
  ASSERT_FALSE(sets.empty());
  EXPECT_EQ(BestKernels(), sets.front());
  EXPECT_EQ(std::string(sets.back()->isa), "portable");
#if defined(__x86_64__)
  EXPECT_GE(sets.size(), 2u);  // at least SSE2 and portable
#endif
}

// Every kernel set this CPU can run computes the same, correct results
// (odd lengths exercise the vector loops' remainders).
TEST(KernelsTest, EverySupportedSetComputesCorrectly) {
  for (const KernelSet* k : SupportedKernels()) {
    SCOPED_TRACE(k->isa);
    const int64_t n = 1003;
    std::vector<double> a(n), b(n), c(n);
    for (int64_t i = 0; i < n; ++i) {
      a[i] = i;
      b[i] = 2.0 * i;
      c[i] = -1;
    }
    k->copy(a.data(), c.data(), n);
    EXPECT_EQ(c[n - 1], n - 1);
    k->scale(b.data(), c.data(), 3.0, n);  // b = 3c = 3i
    EXPECT_EQ(b[7], 21);
    k->add(a.data(), b.data(), c.data(), n);  // c = a + b = 4i
    EXPECT_EQ(c[10], 40);
    k->triad(a.data(), b.data(), c.data(), 0.5, n);  // a = b + c/2 = 5i
    EXPECT_EQ(a[n - 1], 5.0 * (n - 1));

    std::vector<double> x(n, 3.0);
    k->rmw(x.data(), n, 2);  // 3 -> 2 -> 1.5
    EXPECT_EQ(x[0], 1.5);
    EXPECT_EQ(x[n - 1], 1.5);

    EXPECT_GT(k->vector_bytes, 0);
    EXPECT_GT(k->fma_accumulators, 0);
  }
}

// The FMA kernel's sum against the closed form of its recurrence. Every
// kernels_<isa>.cc starts accumulator j of every lane at x0 = 0.5 + 0.001 j
// and runs x <- x m + a with m = 0.999999f, a = 1e-6f, whose solution is
//   x_n = p + (x0 - p) m^n,   p = a / (1 - m)
// (computed in double from the float constants). Float rounding moves it:
// at most two roundings a step (SSE2 has no fused multiply-add), each at most
// 2^-24 of a value below 1, damped by m on every later step, so a lane is off
// by at most 2 x 2^-24 x (1 - m^n) / (1 - m); summing the accumulators in
// float adds at most accumulators x 2^-24 a lane. That bound is under a
// third of what the iterations change and under half of one accumulator's
// share of the sum, so a kernel that skips a third of the iterations, an
// accumulator or a lane fails.
TEST(KernelsTest, FmaSumMatchesTheRecurrencesClosedForm) {
  constexpr int64_t kIterations = 100000;
  const double m = 0.999999f, a = 1e-6f, u = std::ldexp(1.0, -24);
  const double p = a / (1 - m);
  const double decay = std::pow(m, kIterations);
  for (const KernelSet* k : SupportedKernels()) {
    SCOPED_TRACE(k->isa);
    const int lanes = k->vector_bytes / 4;
    const int chains = k->fma_accumulators;
    double expected = 0, start = 0;
    for (int j = 0; j < chains; ++j) {
      const double x0 = 0.5f + 0.001f * j;
      expected += lanes * (p + (x0 - p) * decay);
      start += lanes * x0;
    }
    const double per_lane = 2 * u * (1 - decay) / (1 - m) + chains * u;
    const double tolerance = lanes * chains * per_lane;
    ASSERT_LT(tolerance, (expected - start) / 3);
    ASSERT_LT(tolerance, expected / chains / 2);
    EXPECT_NEAR(k->fma(kIterations), expected, tolerance)
        << lanes << " lanes x " << chains << " accumulators";
  }
}

}  // namespace
}  // namespace benchfleet::hw::kernels
