// A thin RAII layer over the SQLite C API: one connection, prepared
// statements with typed binds, and errors as absl::Status.
#ifndef BENCHFLEET_COORDINATOR_SQLITE_DB_H_
#define BENCHFLEET_COORDINATOR_SQLITE_DB_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace benchfleet::coordinator {

class SqliteStatement;

// One open database connection. Not thread-safe: callers serialise access.
class SqliteDb {
 public:
  // Opens (creating if needed) the database file at `path`. A statement
  // that finds the database locked by another connection retries for up to
  // `busy_timeout`, then fails with UNAVAILABLE.
  static absl::StatusOr<std::unique_ptr<SqliteDb>> Open(
      const std::string& path, absl::Duration busy_timeout = absl::Seconds(5));
  ~SqliteDb();

  // Runs one or more statements without results.
  absl::Status Exec(absl::string_view sql);
  // Compiles one statement.
  absl::StatusOr<SqliteStatement> Prepare(absl::string_view sql);
  int64_t LastInsertRowId() const;
  int Changes() const;
  sqlite3* raw() const { return db_; }

  // Maps the last SQLite error to a status: UNAVAILABLE for busy, locked and
  // full disks (a retry may succeed), INTERNAL otherwise. A failed write
  // that is explained by a lack of room (the process's file size limit is
  // reached, or under 1 MiB is free), which SQLite reports as a mere I/O
  // error, says "database or disk is full" and why, as SQLite itself says
  // for ENOSPC: operators see the same words for every kind of full disk.
  absl::Status Error(absl::string_view what) const;

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

// A prepared statement; bind with 1-based indexes, then Step().
class SqliteStatement {
 public:
  SqliteStatement(SqliteDb* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&&) = delete;
  ~SqliteStatement();

  SqliteStatement& Bind(int index, int64_t value);
  SqliteStatement& Bind(int index, absl::string_view text);
  SqliteStatement& BindBlob(int index, absl::string_view bytes);
  SqliteStatement& BindNull(int index);

  // Advances: true when a row is ready, false when done; error statuses as
  // SqliteDb::Error.
  absl::StatusOr<bool> Step();
  // Steps to completion, expecting no rows.
  absl::Status Run();
  // Clears bindings and rewinds for reuse.
  void Reset();

  int64_t Int(int column) const;
  std::string Text(int column) const;
  std::string Blob(int column) const;
  bool IsNull(int column) const;

 private:
  SqliteDb* db_;
  sqlite3_stmt* stmt_;
};

}  // namespace benchfleet::coordinator

#endif  // BENCHFLEET_COORDINATOR_SQLITE_DB_H_
