#include "coordinator/sqlite_db.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"

namespace benchfleet::coordinator {

absl::StatusOr<std::unique_ptr<SqliteDb>> SqliteDb::Open(
    const std::string& path, absl::Duration busy_timeout) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return absl::UnavailableError(
        absl::StrCat("cannot open database ", path, ": ", message));
  }
  // Wait for a competing writer (another process) rather than fail at once.
  sqlite3_busy_timeout(
      db, static_cast<int>(std::clamp<int64_t>(
              absl::ToInt64Milliseconds(busy_timeout), 0, 1 << 30)));
  return std::unique_ptr<SqliteDb>(new SqliteDb(db));
}

SqliteDb::~SqliteDb() { sqlite3_close(db_); }

namespace {

// Why a write to the database at `path` may have failed for want of room,
// or "" when neither cause applies. SQLite reports ENOSPC as SQLITE_FULL,
// but a write past the process's file size limit (EFBIG) or a disk quota
// (EDQUOT) only as a generic I/O error, and by then errno is gone.
std::string OutOfRoom(const char* path) {
  if (!path || !*path) return "";
  rlimit limit;
  if (getrlimit(RLIMIT_FSIZE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    for (const std::string& file : {std::string(path), absl::StrCat(path, "-wal")}) {
      struct stat st;
      // A write that would cross the limit fails; allow for one SQLite page
      // (64 KiB at most) past the current end.
      if (stat(file.c_str(), &st) == 0 &&
          static_cast<uint64_t>(st.st_size) + (64 << 10) >= limit.rlim_cur)
        return absl::StrCat(file, " reached the file size limit (RLIMIT_FSIZE) of ",
                            limit.rlim_cur, " bytes");
    }
  }
  std::string dir = path;
  dir = dir.find('/') == std::string::npos ? "." : dir.substr(0, dir.rfind('/') + 1);
  struct statvfs fs;
  if (statvfs(dir.c_str(), &fs) == 0 &&
      static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize < (1u << 20))
    return absl::StrCat("only ", static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize,
                        " bytes are free on the file system of ", dir);
  return "";
}

}  // namespace

absl::Status SqliteDb::Error(absl::string_view what) const {
  const int code = sqlite3_errcode(db_) & 0xff;
  std::string message =
      absl::StrCat(what, ": ", sqlite3_errmsg(db_), " (sqlite code ", code, ")");
  if (sqlite3_extended_errcode(db_) == SQLITE_IOERR_WRITE) {
    if (std::string cause = OutOfRoom(sqlite3_db_filename(db_, "main")); !cause.empty())
      message = absl::StrCat(what, ": database or disk is full: ", cause, " (",
                             sqlite3_errmsg(db_), ", sqlite code ",
                             sqlite3_extended_errcode(db_), ")");
  }
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED || code == SQLITE_FULL ||
      code == SQLITE_IOERR) {
    return absl::UnavailableError(message);
  }
  return absl::InternalError(message);
}

absl::Status SqliteDb::Exec(absl::string_view sql) {
  char* error = nullptr;
  const std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    sqlite3_free(error);
    return Error(absl::StrCat("executing \"", sql.substr(0, 60), "\""));
  }
  return absl::OkStatus();
}

absl::StatusOr<SqliteStatement> SqliteDb::Prepare(absl::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt,
                         nullptr) != SQLITE_OK) {
    return Error(absl::StrCat("preparing \"", sql.substr(0, 60), "\""));
  }
  return SqliteStatement(this, stmt);
}

int64_t SqliteDb::LastInsertRowId() const {
  return sqlite3_last_insert_rowid(db_);
}

int SqliteDb::Changes() const { return sqlite3_changes(db_); }

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : db_(other.db_), stmt_(other.stmt_) {
  other.stmt_ = nullptr;
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

SqliteStatement& SqliteStatement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

SqliteStatement& SqliteStatement::Bind(int index, absl::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                    SQLITE_TRANSIENT);
  return *this;
}

SqliteStatement& SqliteStatement::BindBlob(int index, absl::string_view bytes) {
  sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()),
                    SQLITE_TRANSIENT);
  return *this;
}

SqliteStatement& SqliteStatement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

absl::StatusOr<bool> SqliteStatement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->Error(absl::StrCat("running \"",
                                 absl::string_view(sqlite3_sql(stmt_)).substr(0, 60),
                                 "\""));
}

absl::Status SqliteStatement::Run() {
  absl::StatusOr<bool> row = Step();
  if (!row.ok()) return row.status();
  return absl::OkStatus();
}

void SqliteStatement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t SqliteStatement::Int(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::string SqliteStatement::Text(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  return text ? std::string(reinterpret_cast<const char*>(text),
                            sqlite3_column_bytes(stmt_, column))
              : std::string();
}

std::string SqliteStatement::Blob(int column) const {
  const void* blob = sqlite3_column_blob(stmt_, column);
  return blob ? std::string(static_cast<const char*>(blob),
                            sqlite3_column_bytes(stmt_, column))
              : std::string();
}

bool SqliteStatement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

}  // namespace benchfleet::coordinator
