#include "coordinator/auth.h"

#include "gtest/gtest.h"

namespace benchfleet::coordinator {
namespace {

TEST(TokenRegistryTest, FindsHashedTokensByRole) {
  const std::string admin = TokenRegistry::NewToken();
  const std::string agent = TokenRegistry::NewToken();
  EXPECT_EQ(admin.size(), 64u);
  EXPECT_NE(admin, agent);
  auto registry = TokenRegistry::Parse(
      "# comment\n" + TokenRegistry::Line(Role::kAdmin, "alice", admin) + "\n\n" +
          TokenRegistry::Line(Role::kAgent, "sim-*", agent) + "\n",
      "tokens");
  ASSERT_TRUE(registry.ok()) << registry.status();
  ASSERT_NE(registry->Find(admin), nullptr);
  EXPECT_EQ(registry->Find(admin)->name, "alice");
  EXPECT_EQ(registry->Find(agent)->role, Role::kAgent);
  EXPECT_EQ(registry->Find("guess"), nullptr);
  // The file holds hashes, never the tokens.
  EXPECT_EQ(TokenRegistry::Line(Role::kAdmin, "alice", admin).find(admin),
            std::string::npos);
}

TEST(TokenRegistryTest, BadLinesAreNamed) {
  auto bad_role = TokenRegistry::Parse("root x " + std::string(64, 'a'), "t");
  EXPECT_NE(bad_role.status().message().find("t: line 1: role = \"root\""),
            std::string::npos);
  auto bad_hash = TokenRegistry::Parse("\nadmin x 1234", "t");
  EXPECT_NE(bad_hash.status().message().find("line 2"), std::string::npos);
}

TEST(AuthTest, AgentIdPatterns) {
  EXPECT_TRUE(AgentIdAllowed("node-1", "node-1"));
  EXPECT_FALSE(AgentIdAllowed("node-1", "node-12"));
  EXPECT_TRUE(AgentIdAllowed("sim-*", "sim-17"));
  EXPECT_FALSE(AgentIdAllowed("sim-*", "node-1"));
}

}  // namespace
}  // namespace benchfleet::coordinator
