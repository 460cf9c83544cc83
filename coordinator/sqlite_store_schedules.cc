// SqliteStore: the named schedules and when each last started a sweep.
#include "coordinator/sqlite_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "coordinator/sqlite_blob.h"

namespace benchfleet::coordinator {

absl::Status SqliteStore::AddSchedule(const v1::Schedule& schedule) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   db_->Prepare("INSERT OR IGNORE INTO schedules (name, schedule) "
                                "VALUES (?1, ?2)"));
  RETURN_IF_ERROR(
      stmt.Bind(1, schedule.name()).BindBlob(2, schedule.SerializeAsString()).Run());
  if (db_->Changes() == 0)
    return absl::AlreadyExistsError(
        absl::StrCat("a schedule named \"", schedule.name(), "\" exists"));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::Schedule>> SqliteStore::ListSchedules() {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   db_->Prepare("SELECT schedule, last_run_ms, last_sweep_id "
                                "FROM schedules ORDER BY name"));
  std::vector<v1::Schedule> schedules;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    ASSIGN_OR_RETURN(v1::Schedule schedule,
                     ParseBlob<v1::Schedule>(stmt.Blob(0), "schedule"));
    schedule.set_last_run_unix_ms(stmt.Int(1));
    schedule.set_last_sweep_id(stmt.Int(2));
    schedules.push_back(std::move(schedule));
  }
  return schedules;
}

absl::Status SqliteStore::RemoveSchedule(const std::string& name) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   db_->Prepare("DELETE FROM schedules WHERE name = ?1"));
  RETURN_IF_ERROR(stmt.Bind(1, name).Run());
  if (db_->Changes() == 0)
    return absl::NotFoundError(absl::StrCat("no schedule named \"", name, "\""));
  return absl::OkStatus();
}

absl::Status SqliteStore::MarkScheduleRun(const std::string& name, absl::Time run,
                                          int64_t sweep_id) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   db_->Prepare("UPDATE schedules SET last_run_ms = ?2, "
                                "last_sweep_id = ?3 WHERE name = ?1"));
  return stmt.Bind(1, name).Bind(2, absl::ToUnixMillis(run)).Bind(3, sweep_id).Run();
}

}  // namespace benchfleet::coordinator
