// SqliteStore: the agents that said hello and when they were last seen.
#include "coordinator/sqlite_store.h"

#include <utility>

#include "base/status_macros.h"
#include "coordinator/sqlite_blob.h"

namespace benchfleet::coordinator {

absl::Status SqliteStore::UpsertAgent(const v1::Hello& hello, absl::Time now) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   db_->Prepare("INSERT INTO agents (agent_id, hardware, "
                                "first_seen_ms, last_seen_ms, hello) "
                                "VALUES (?1, ?2, ?3, ?3, ?4) "
                                "ON CONFLICT(agent_id) DO UPDATE SET "
                                "hardware = ?2, last_seen_ms = ?3, hello = ?4"));
  return stmt.Bind(1, hello.agent_id())
      .BindBlob(2, hello.hardware().SerializeAsString())
      .Bind(3, absl::ToUnixMillis(now))
      .BindBlob(4, hello.SerializeAsString())
      .Run();
}

absl::Status SqliteStore::TouchAgent(const std::string& agent_id, absl::Time now) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(
      SqliteStatement stmt,
      db_->Prepare("UPDATE agents SET last_seen_ms = ?2 WHERE agent_id = ?1"));
  return stmt.Bind(1, agent_id).Bind(2, absl::ToUnixMillis(now)).Run();
}

absl::StatusOr<std::vector<AgentRecord>> SqliteStore::ListAgents() {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   db_->Prepare("SELECT agent_id, hello, first_seen_ms, "
                                "last_seen_ms FROM agents ORDER BY agent_id"));
  std::vector<AgentRecord> agents;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    AgentRecord agent;
    agent.agent_id = stmt.Text(0);
    ASSIGN_OR_RETURN(agent.hello, ParseBlob<v1::Hello>(stmt.Blob(1), "hello"));
    agent.first_seen = absl::FromUnixMillis(stmt.Int(2));
    agent.last_seen = absl::FromUnixMillis(stmt.Int(3));
    agents.push_back(std::move(agent));
  }
  return agents;
}

}  // namespace benchfleet::coordinator
