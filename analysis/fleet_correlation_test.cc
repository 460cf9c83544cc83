#include "analysis/fleet_correlation.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "analysis/fleet_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace benchfleet::analysis {
namespace {

using ::testing::HasSubstr;
using fixture::Agent;
using fixture::FleetResults;
using fixture::Hardware;
using fixture::kCpu;
using fixture::kGpu;
using fixture::Model;
using fixture::Models;
using fixture::Result;

TEST(CorrelateTest, OneMatrixPerDeviceBatchAndMode) {
  const std::vector<DeviceGroup> groups = GroupByDevice(
      FleetResults(), {Agent("agent-a", Hardware(), true, 1)});
  const std::vector<CorrelationGroup> correlations =
      CorrelateByDevice(groups, CorrelateOptions());
  // CPU: b1 inference, b1 training, b4 inference; GPU: b1 inference.
  ASSERT_EQ(correlations.size(), 4u);
  const CorrelationGroup& g = correlations[0];
  EXPECT_EQ(g.batch, 1);
  EXPECT_EQ(g.mode, v1::MODE_INFERENCE);
  EXPECT_EQ(g.models.size(), 5u);
  ASSERT_EQ(g.matrix.names, CorrelationVariables());
  // Latency is FLOPs / constant speed in the fixture: rho = 1.
  EXPECT_NEAR(g.matrix.cells[0][4].estimate, 1.0, 1e-12);
  EXPECT_NEAR(g.matrix.cells[4][5].estimate, -1.0, 1e-12);
  EXPECT_FALSE(std::isnan(g.ci[0][1].lower));
  // Seeded bootstrap: the same bounds every time.
  const std::vector<CorrelationGroup> again =
      CorrelateByDevice(groups, CorrelateOptions());
  EXPECT_EQ(again[0].ci[0][1].lower, g.ci[0][1].lower);
  EXPECT_EQ(again[0].ci[0][1].upper, g.ci[0][1].upper);

  const std::vector<DeviceAgreement> agreement =
      CrossDeviceAgreement(groups, CorrelateOptions());
  ASSERT_EQ(agreement.size(), 1u);  // only b1 inference ran on both
  EXPECT_EQ(agreement[0].models.size(), 5u);
  EXPECT_NEAR(agreement[0].result.estimate, 1.0, 1e-12);
}

TEST(CorrelationProtoTest, CellsRowMajorWithUndefinedLeftUnset) {
  const std::vector<DeviceGroup> groups =
      GroupByDevice(FleetResults(), {Agent("agent-a", Hardware(), true, 1)});
  const std::vector<CorrelationGroup> correlations =
      CorrelateByDevice(groups, CorrelateOptions());
  const v1::CorrelationGroup g = CorrelationGroupToProto(correlations[0]);
  EXPECT_EQ(g.device(), "Example CPU 8C @ bench-01");
  EXPECT_EQ(g.batch_size(), 1);
  ASSERT_EQ(g.variables_size(), 6);
  ASSERT_EQ(g.cells_size(), 36);
  const v1::CorrelationCell& flops_latency = g.cells(0 * 6 + 4);
  EXPECT_NEAR(flops_latency.estimate(), 1.0, 1e-12);
  EXPECT_EQ(flops_latency.n(), 5);
  EXPECT_EQ(g.cells(4 * 6 + 0).estimate(), flops_latency.estimate());
  // The diagonal has no interval.
  EXPECT_FALSE(g.cells(0).has_ci_lower());
  EXPECT_TRUE(g.cells(1).has_ci_lower());
  EXPECT_DOUBLE_EQ(g.cells(1).ci_lower(), correlations[0].ci[0][1].lower);

  const v1::DeviceAgreement a =
      DeviceAgreementToProto(CrossDeviceAgreement(groups, CorrelateOptions())[0]);
  EXPECT_EQ(a.device_b(), "NVIDIA T4 @ bench-01");
  EXPECT_EQ(a.models_size(), 5);
  EXPECT_NEAR(a.correlation().estimate(), 1.0, 1e-12);
}

TEST(CorrelationProtoTest, MethodsRoundTrip) {
  for (CorrelationMethod m : {CorrelationMethod::kPearson, CorrelationMethod::kSpearman,
                              CorrelationMethod::kKendallTauB})
    EXPECT_EQ(CorrelationMethodFromProto(CorrelationMethodToProto(m)), m);
  EXPECT_EQ(CorrelationMethodFromProto(v1::CORRELATION_METHOD_UNSPECIFIED),
            CorrelationMethod::kSpearman);
}

}  // namespace
}  // namespace benchfleet::analysis
