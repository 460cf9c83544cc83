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

    const double sum = k->fma(1000);
    EXPECT_TRUE(std::isfinite(sum));
    EXPECT_GT(sum, 0);
    EXPECT_GT(k->vector_bytes, 0);
    EXPECT_GT(k->fma_accumulators, 0);
  }
}

}  // namespace
}  // namespace benchfleet::hw::kernels
