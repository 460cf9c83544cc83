#include "agent/hw/build_info.h"

#include <regex>
#include <string>

#include "gtest/gtest.h"

namespace benchfleet::hw {
namespace {

// The stamp is whatever tools/workspace_status.sh said: a git revision, or
// "" when the tree was built outside a git checkout.
TEST(BuildInfoTest, SourceRevisionIsAGitRevisionOrEmpty) {
  const std::string revision = SourceRevision();
  EXPECT_TRUE(revision.empty() ||
              std::regex_match(revision, std::regex("[0-9a-f]{40}(-dirty)?")))
      << "\"" << revision << "\"";
}

TEST(BuildInfoTest, AgentVersionIsSet) { EXPECT_STRNE(kAgentVersion, ""); }

}  // namespace
}  // namespace benchfleet::hw
